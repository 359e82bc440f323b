// Enhancements only: every page works without this file.
// Links marked data-print print the page instead of leaving it.
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-print]");
  if (trigger) {
    event.preventDefault();
    window.print();
  }
});
