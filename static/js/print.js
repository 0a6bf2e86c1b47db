// Print buttons: hidden in the page as sent (they need a script), shown and wired up here.
export function enhancePrintButtons(root) {
  for (const button of root.querySelectorAll("[data-wa-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}
