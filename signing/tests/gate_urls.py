"""A test URLconf: the real routes plus one marked browser view and one marked API view."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from signing.gate import sending_view


@sending_view
def fake_send(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sent")


@sending_view
def fake_send_api(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"sent": True})


def unmarked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("plain")


urlpatterns = [
    path("test/send/", fake_send, name="fake_send"),
    path("api/v1/test/send/", fake_send_api, name="fake_send_api"),
    path("test/plain/", unmarked, name="unmarked"),
    *portal_urlpatterns,
]
