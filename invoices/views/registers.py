"""Customers and articles in the browser: the registers invoices are written from."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_permission
from accounts.models import Permission, Plan
from accounts.views import posted
from invoices import errors, selectors, services
from invoices.forms import ArticleForm, CustomerForm
from invoices.views.documents import PAGE_SIZE, editor_membership
from portal.paging import uncounted_page


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    """List and search customers by name, customer number or org number."""
    membership = require_permission(request, Permission.VIEW)
    query = request.GET.get("q", "").strip()
    customers = selectors.customer_list(organisation=membership.organisation, query=query)
    # Not counted: the register grows with every buyer ever invoiced (see portal/paging.py).
    page = uncounted_page(customers, request.GET.get("page"), PAGE_SIZE)
    context = {"page": page, "q": query, "can_edit": membership.can(Permission.EDIT_INVOICES)}
    return render(request, "invoices/customers.html", context)


@login_required
def customer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a customer."""
    membership = editor_membership(request)
    customer = selectors.customer_get(organisation=membership.organisation, pk=pk) if pk else None
    form = CustomerForm(posted(request), instance=customer)
    if request.method == "POST" and form.is_valid():
        services.customer_save(
            organisation=membership.organisation,
            user=request.user,
            customer=form.save(commit=False),
        )
        messages.success(request, _("The customer has been saved."))
        return redirect("invoices:customers")
    return render(request, "invoices/customer_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a customer without invoices."""
    membership = editor_membership(request)
    customer = selectors.customer_get(organisation=membership.organisation, pk=pk)
    try:
        services.customer_delete(user=request.user, customer=customer)
        messages.success(request, _("The customer has been deleted."))
    except errors.CustomerInUse as error:
        messages.error(request, str(error))
    return redirect("invoices:customers")


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    """List the article register (Web Plus)."""
    membership = require_permission(request, Permission.VIEW)
    context = {
        "articles": selectors.article_list(organisation=membership.organisation),
        "is_plus": membership.organisation.plan == Plan.PLUS,
        "can_edit": membership.can(Permission.EDIT_INVOICES),
    }
    return render(request, "invoices/articles.html", context)


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change an article (Web Plus)."""
    membership = editor_membership(request)
    article = selectors.article_get(organisation=membership.organisation, pk=pk) if pk else None
    form = ArticleForm(posted(request), instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_save(
                organisation=membership.organisation,
                user=request.user,
                article=form.save(commit=False),
            )
            messages.success(request, _("The article has been saved."))
            return redirect("invoices:articles")
        except errors.ArticlesNeedPlus as error:
            messages.error(request, str(error))
            return redirect("accounts:settings")
    return render(request, "invoices/article_form.html", {"form": form, "article": article})
