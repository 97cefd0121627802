// Keeps the signing page alive: a new QR frame every second, status every two seconds.
(function () {
  "use strict";
  const root = document.getElementById("bankid");
  if (!root || root.dataset.status !== "pending") return;
  const qr = document.getElementById("qr");
  const qrPanel = document.getElementById("qr-panel");
  const qrText = document.getElementById("qr-text");
  const message = document.getElementById("bankid-message");
  let finished = false;

  function refreshQr() {
    if (finished || !qr) return;
    fetch(root.dataset.qrUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 204) { if (qrPanel) qrPanel.hidden = true; return null; }
        return response.text();
      })
      .then(function (svg) {
        if (!svg) return;
        qr.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
        const payload = svg.match(/<!--\s*(bankid\.[^ ]+)\s*-->/);
        if (qrText && payload) qrText.textContent = payload[1];
      })
      .catch(function () {});
  }

  function poll() {
    if (finished) return;
    fetch(root.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.message) message.textContent = state.message;
        if (qrPanel && !state.show_qr) qrPanel.hidden = true;
        if (state.status === "complete") {
          finished = true;
          window.location.assign(state.redirect);
        } else if (state.status !== "pending") {
          finished = true;
          window.location.reload();
        }
      })
      .catch(function () {});
  }

  // Opening the BankID app on this device may hide or unload this page: the order must
  // survive that, or the signature the user is about to give is lost.
  let leftForApp = false;
  const autostart = document.getElementById("autostart");
  if (autostart) autostart.addEventListener("click", function () { leftForApp = true; });

  // Leaving the page otherwise cancels the order, as BankID asks relying parties to do.
  window.addEventListener("pagehide", function () {
    if (finished || leftForApp) return;
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const data = new FormData();
    if (token) data.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(root.dataset.cancelUrl, data);
  });

  refreshQr();
  setInterval(refreshQr, 1000);
  setInterval(poll, 2000);
})();
