"""The simulated BankID app as a web page: open an order, read the text, approve or cancel.

Self-contained (no external assets) and driven by the JSON control endpoints, so
what a demo user does by hand is exactly what the tests do.
"""

from __future__ import annotations

APP_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BankID-simulator</title>
<style>
  :root { --accent: #193e4f; --ok: #1b7a3a; --bad: #a4262c; --muted: #5b6770; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
         background: #eef2f4; color: #1d2529; }
  main { max-width: 34rem; margin: 2rem auto; padding: 0 1rem; }
  header { background: var(--accent); color: #fff; padding: 1rem 1.25rem; border-radius: .75rem; }
  header h1 { margin: 0; font-size: 1.3rem; }
  header p { margin: .25rem 0 0; font-size: .9rem; opacity: .85; }
  section { background: #fff; border-radius: .75rem; padding: 1.25rem; margin-top: 1rem;
            box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  h2 { margin: 0 0 .75rem; font-size: 1.1rem; }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  .en { color: var(--muted); font-weight: normal; }
  input, select, textarea { width: 100%; font: inherit; padding: .5rem; border: 1px solid #b8c2c8;
                            border-radius: .4rem; }
  textarea { min-height: 4.5rem; font-family: ui-monospace, monospace; font-size: .85rem; }
  .row { display: flex; gap: .75rem; margin-top: 1rem; }
  button { flex: 1; font: inherit; font-weight: 600; padding: .7rem; border: 0;
           border-radius: .4rem; cursor: pointer; background: var(--accent); color: #fff; }
  button.secondary { background: #dfe5e8; color: #1d2529; }
  button:disabled { opacity: .5; cursor: default; }
  .hint { font-size: .85rem; color: var(--muted); margin: .35rem 0 0; }
  .text { white-space: pre-wrap; background: #f6f8f9; border-left: 4px solid var(--accent);
          padding: .75rem; border-radius: .25rem; overflow-wrap: anywhere; }
  .message { margin-top: 1rem; padding: .75rem; border-radius: .4rem; display: none; }
  .message.ok { display: block; background: #e3f3e8; color: var(--ok); }
  .message.bad { display: block; background: #f9e3e4; color: var(--bad); }
  .message.info { display: block; background: #e6eef2; color: var(--accent); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem .75rem; margin: 0; }
  dt { color: var(--muted); }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main>
  <header>
    <h1>BankID-simulator <span lang="en">/ BankID simulator</span></h1>
    <p>Testmiljö: inga riktiga BankID, inga riktiga underskrifter.
       <span lang="en">Test environment: no real BankID, no real signatures.</span></p>
  </header>

  <section id="start">
    <h2>1. Öppna beställningen <span class="en" lang="en">/ Open the order</span></h2>
    <div id="token-box" hidden>
      <label>Autostart-token <span class="en" lang="en">/ autostart token</span></label>
      <input id="token" readonly>
      <p class="hint">Öppnad via länken "öppna BankID på den här enheten".
        <span lang="en">Opened through the "open BankID on this device" link.</span></p>
    </div>
    <div id="qr-box">
      <label for="qr">QR-kodens innehåll <span class="en" lang="en">/ QR code payload</span></label>
      <textarea id="qr" placeholder="bankid.&lt;token&gt;.&lt;tid&gt;.&lt;kod&gt;"></textarea>
      <p class="hint">En QR-kod gäller bara en sekund, som i den riktiga appen: välj person
        först, kopiera sedan koden och klistra in, så öppnas den direkt.
        <span lang="en">A QR frame is valid for one second, as in the real app: choose the
        person first, then copy and paste the code; it is opened at once.</span></p>
    </div>
    <label for="person">Testperson <span class="en" lang="en">/ test person</span></label>
    <select id="person"></select>
    <div id="other" hidden>
      <label for="pno">Personnummer <span class="en" lang="en">/ personal number</span></label>
      <input id="pno" placeholder="ÅÅÅÅMMDDNNNN" inputmode="numeric">
      <label for="given">Förnamn <span class="en" lang="en">/ given name</span></label>
      <input id="given">
      <label for="surname">Efternamn <span class="en" lang="en">/ surname</span></label>
      <input id="surname">
    </div>
    <div class="row"><button id="open">Öppna <span lang="en">/ Open</span></button></div>
  </section>

  <section id="order" hidden>
    <h2>2. <span id="what"></span></h2>
    <dl>
      <dt>Från <span lang="en">/ From</span></dt><dd id="rp"></dd>
      <dt>Person</dt><dd id="who"></dd>
    </dl>
    <label>Text att godkänna <span class="en" lang="en">/ text to approve</span></label>
    <div class="text" id="text"></div>
    <div class="row">
      <button id="sign">Godkänn (skriv under) <span lang="en">/ Approve (sign)</span></button>
      <button id="cancel" class="secondary">Avbryt <span lang="en">/ Cancel</span></button>
    </div>
  </section>

  <div id="message" class="message" role="status"></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const autoStartToken = params.get("autostarttoken");
let orderRef = null;

async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const response = await fetch("/sim/v1/" + path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
  return data;
}

function say(kind, sv, en) {
  const box = $("message");
  box.className = "message " + kind;
  box.textContent = en ? sv + " / " + en : sv;
}

function chosenPerson() {
  if ($("person").value !== "other") return JSON.parse($("person").value);
  return {personalNumber: $("pno").value.replace(/\\D/g, ""), givenName: $("given").value.trim(),
          surname: $("surname").value.trim()};
}

async function loadPersons() {
  const persons = await call("persons");
  for (const person of persons) {
    const option = document.createElement("option");
    const role = person.signatoryOf.length
      ? " \\u2013 firmatecknare / signatory: " + person.signatoryOf.join(", ")
      : " \\u2013 ingen firmateckning / no signing authority";
    option.textContent = person.name + " (" + person.personalNumber + ")" + role;
    option.value = JSON.stringify({personalNumber: person.personalNumber,
                                   givenName: person.givenName, surname: person.surname});
    $("person").append(option);
  }
  const other = document.createElement("option");
  other.value = "other";
  other.textContent = "Annan person\\u2026 / Someone else\\u2026";
  $("person").append(other);
}

async function openOrder() {
  const body = chosenPerson();
  if (autoStartToken) body.autoStartToken = autoStartToken;
  else body.qr = $("qr").value.trim();
  if (!autoStartToken && !body.qr) {
    say("bad", "Klistra in QR-kodens innehåll.", "Paste the QR code payload.");
    return;
  }
  try {
    const opened = await call("app/open", body);
    orderRef = opened.orderRef;
    showOrder(opened);
    say("info", "Beställningen är öppnad. Läs texten och godkänn eller avbryt.",
        "The order is open. Read the text, then approve or cancel.");
  } catch (error) {
    say("bad", error.message);
  }
}

function showOrder(opened) {
  const signing = opened.funcId === "Signing";
  $("what").textContent = signing ? "Skriv under / Sign" : "Legitimera dig / Identify yourself";
  $("rp").textContent = opened.rpDisplayName;
  $("who").textContent = opened.person.name + " (" + opened.person.personalNumber + ")";
  $("text").textContent = opened.userVisibleText || "(ingen text / no text)";
  $("order").hidden = false;
  $("start").hidden = true;
}

async function confirm(action) {
  $("sign").disabled = $("cancel").disabled = true;
  try {
    await call("app/confirm", {orderRef: orderRef, action: action});
    if (action === "sign") {
      say("ok", "Klart. Gå tillbaka till tjänsten.", "Done. Return to the service.");
    } else {
      say("info", "Avbrutet.", "Cancelled.");
    }
  } catch (error) {
    say("bad", error.message);
  }
}

$("person").addEventListener("change", () => {
  $("other").hidden = $("person").value !== "other";
});
$("open").addEventListener("click", openOrder);
$("qr").addEventListener("paste", () => setTimeout(openOrder, 0));
$("sign").addEventListener("click", () => confirm("sign"));
$("cancel").addEventListener("click", () => confirm("cancel"));

loadPersons().catch((error) => say("bad", error.message));
if (autoStartToken) {
  $("token").value = autoStartToken;
  $("token-box").hidden = false;
  $("qr-box").hidden = true;
  call("app/start", {autoStartToken: autoStartToken})
    .then(() => say("info", "BankID-appen är startad. Välj testperson och öppna.",
                    "The BankID app has started. Choose a test person and open."))
    .catch((error) => say("bad", error.message));
}
</script>
</body>
</html>
"""
