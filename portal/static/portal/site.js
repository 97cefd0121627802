// Close the user menu on Escape or a click outside it; ask before destructive form posts.
document.addEventListener("keydown", (e) => {
  const menu = document.querySelector(".user-menu[open]");
  if (e.key === "Escape" && menu) { menu.open = false; menu.querySelector("summary").focus(); }
});
document.addEventListener("click", (e) => {
  const menu = document.querySelector(".user-menu[open]");
  if (menu && !menu.contains(e.target)) menu.open = false;
});
document.addEventListener("submit", (e) => {
  const message = e.target.dataset && e.target.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});
