// The printable assessment: a button that opens the browser's print dialogue. Without
// JavaScript the button stays hidden and the page says to use the browser's Print command.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
