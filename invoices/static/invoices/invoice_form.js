// Invoice form: add line and discount/fee rows from their <template>, dim removed rows,
// and show an estimate of the totals while the user writes. The portal's own
// computation (EN 16931 rounding) is what the saved invoice carries; this is a preview.
(function () {
  "use strict";

  const form = document.querySelector("[data-invoice-form]");
  if (!form) return;

  const lang = document.documentElement.lang || "sv";
  const money = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  // A number from an input, or null when empty or not a number ("1,5" is accepted too).
  function parse(value) {
    const text = String(value || "").trim().replace(/\s/g, "").replace(",", ".");
    if (text === "" || isNaN(Number(text))) return null;
    return Number(text);
  }
  function round2(amount) {
    return Math.round((amount + Number.EPSILON) * 100) / 100;
  }
  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }
  function isRemoved(row) {
    const box = field(row, "DELETE");
    return Boolean(box && box.checked);
  }

  function addRow(prefix) {
    const template = form.querySelector('template[data-empty-form="' + prefix + '"]');
    const total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const max = form.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    const container = form.querySelector('[data-formset="' + prefix + '"]');
    if (!template || !total || !container) return;
    const index = Number(total.value);
    if (max && index >= Number(max.value)) return;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    container.appendChild(row);
    total.value = String(index + 1);
    const head = container.querySelector("[data-row-head]");
    if (head) head.classList.remove("is-empty");
    toggleReason(row);
    renumber();
    update();
    const first = row.querySelector("input:not([type=checkbox]), select");
    if (first) first.focus();
  }

  function renumber() {
    let number = 0;
    form.querySelectorAll('[data-formset="lines"] [data-row]').forEach((row) => {
      const cell = row.querySelector("[data-row-number]");
      if (isRemoved(row)) {
        if (cell) cell.textContent = "–";
      } else {
        number += 1;
        if (cell) cell.textContent = String(number);
      }
    });
  }

  // Net per line and totals per VAT rate, rounded the way EN 16931 rounds (per line, per group).
  function update() {
    const groups = new Map();
    let net = 0;
    function add(key, rate, amount) {
      const group = groups.get(key) || { rate: rate, taxable: 0 };
      group.taxable += amount;
      groups.set(key, group);
    }
    form.querySelectorAll('[data-formset="lines"] [data-row]').forEach((row) => {
      const out = row.querySelector("[data-line-net]");
      const quantity = parse(field(row, "quantity").value);
      const price = parse(field(row, "unit_price").value);
      const discount = parse(field(row, "discount_amount").value) || 0;
      row.classList.toggle("is-removed", isRemoved(row));
      if (quantity === null || price === null || isRemoved(row)) {
        if (out) out.textContent = "";
        return;
      }
      const amount = round2(round2(quantity * price) - discount);
      if (out) out.textContent = money.format(amount);
      const rate = parse(field(row, "vat_rate").value) || 0;
      add(field(row, "vat_category").value + "/" + rate, rate, amount);
      net += amount;
    });
    form.querySelectorAll('[data-formset="charges"] [data-row]').forEach((row) => {
      row.classList.toggle("is-removed", isRemoved(row));
      const amount = parse(field(row, "amount").value);
      if (amount === null || isRemoved(row)) return;
      const signed = field(row, "is_charge").value === "charge" ? amount : -amount;
      const rate = parse(field(row, "vat_rate").value) || 0;
      add(field(row, "vat_category").value + "/" + rate, rate, signed);
      net += signed;
    });
    let vat = 0;
    groups.forEach((group) => { vat += round2(round2(group.taxable) * group.rate / 100); });
    const currency = (form.querySelector('[name="currency"]') || {}).value || "";
    const show = (name, amount) => {
      const cell = form.querySelector('[data-total="' + name + '"]');
      if (cell) cell.textContent = money.format(round2(amount)) + " " + currency;
    };
    show("net", net);
    show("vat", vat);
    show("payable", net + vat);
  }

  // Exemption reasons only matter for categories without VAT, the grounds only for exempt
  // supplies (E); keep either visible when filled in or marked wrong.
  function showWhen(input, needed) {
    if (!input) return;
    const cell = input.closest(".cell");
    cell.hidden = !(needed || input.value !== "" || cell.classList.contains("field-invalid"));
  }
  function toggleReason(row) {
    const category = field(row, "vat_category");
    if (!category) return;
    showWhen(field(row, "exemption_ground"), category.value === "E");
    showWhen(field(row, "exemption_reason"), category.value !== "S");
  }

  // The exchange rate is only for invoices in another currency.
  function toggleRate() {
    const currency = form.querySelector('[name="currency"]');
    const rate = form.querySelector('[name="exchange_rate"]');
    if (!currency || !rate) return;
    const cell = rate.closest(".field");
    cell.hidden = !(currency.value !== "SEK" || rate.value !== "" || cell.classList.contains("field-invalid"));
  }

  // Amounts may come back with more decimals than they need ("10,0000"); show "10" and
  // "950,00", keeping the separator the page wrote them with (a comma in Swedish).
  function tidy(input, minDecimals) {
    const match = /^(-?\d+)([.,])(\d+)$/.exec(input.value);
    if (!match) return;
    const [, whole, separator] = match;
    let decimals = match[3].replace(/0+$/, "");
    while (decimals.length < minDecimals) decimals += "0";
    input.value = decimals ? whole + separator + decimals : whole;
  }
  form.querySelectorAll('[name$="-quantity"]').forEach((input) => tidy(input, 0));
  form.querySelectorAll('[name$="-unit_price"], [name$="-discount_amount"], [name$="-amount"]')
    .forEach((input) => tidy(input, 2));

  form.querySelectorAll("[data-add-row]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => addRow(button.dataset.addRow));
  });
  form.addEventListener("input", update);
  // Category and rate go together (S: 25/12/6 %, every other category: 0 %); follow the category.
  function matchRate(row) {
    const category = field(row, "vat_category");
    const rate = field(row, "vat_rate");
    if (!category || !rate) return;
    if (category.value !== "S") rate.value = "0";
    else if (rate.value === "0") rate.value = "25";
  }

  form.addEventListener("change", (event) => {
    const row = event.target.closest("[data-row]");
    if (row && event.target.name && event.target.name.endsWith("-vat_category")) matchRate(row);
    if (row) toggleReason(row);
    if (event.target.name === "currency") toggleRate();
    if (event.target.name && event.target.name.endsWith("-DELETE")) renumber();
    update();
  });
  form.querySelectorAll('[data-formset="lines"] [data-row]').forEach(toggleReason);
  toggleRate();
  const estimate = form.querySelector("[data-estimate]");
  if (estimate) estimate.hidden = false;
  renumber();
  update();
})();
