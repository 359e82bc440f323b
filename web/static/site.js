// Enhancements only: every page works without this file.
// Links marked data-print print the page instead of leaving it.
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-print]");
  if (trigger) {
    event.preventDefault();
    window.print();
  }
});

// "Přidat do projektu" without a reload, so that the page stays where it was: the form is posted in
// the background and asks for JSON, which gives the header's new count and the confirmation (rendered
// by the server, in the page's language) for the form's live region. Whatever goes wrong, the form is
// posted the ordinary way, and the server's page says what happened.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-add-in-place]");
  if (!form || !window.fetch) {
    return;
  }
  event.preventDefault();
  if (form.dataset.busy) {
    return;
  }
  form.dataset.busy = "yes";
  let added;
  try {
    const answer = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!answer.ok) {
      throw new Error(answer.statusText);
    }
    added = await answer.json();
  } catch {
    form.submit();
    return;
  } finally {
    delete form.dataset.busy;
  }
  const status = form.querySelector("[role='status']");
  const parsed = new DOMParser().parseFromString(added.status, "text/html");
  status.replaceChildren(...parsed.body.childNodes);
  for (const count of document.querySelectorAll("[data-project-count]")) {
    count.textContent = String(added.count);
  }
});
