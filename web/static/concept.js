// The concept page: buttons that open or close every branch of the strategy trees at once. Without
// JavaScript the branches open and close one by one (<details>), and the buttons stay hidden.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const tools = document.querySelector(".tree-tools");
  if (!tools) return;
  tools.hidden = false;
  tools.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-tree]");
    if (!button) return;
    const open = button.dataset.tree === "open";
    for (const branch of document.querySelectorAll(".strategy-trees details")) branch.open = open;
  });
});
