// Copy buttons: `data-wa-copy="<input id>"` copies that box's text to the clipboard. The box
// stays selectable (readonly) for anyone without a script or a clipboard.
export function enhanceCopyButtons(root) {
  for (const holder of root.querySelectorAll("[data-wa-copy]")) {
    const box = document.getElementById(holder.dataset.waCopy);
    const button = holder.querySelector("button");
    const status = holder.querySelector("[role=status]");
    if (!box || !button || !navigator.clipboard) continue;
    holder.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(box.value);
        status.textContent = "Copied. Paste it into your system's settings.";
      } catch {
        box.select();
        status.textContent = "Could not copy: the token is selected, press Ctrl+C to copy it.";
      }
    });
  }
}
