// Starts GraphiQL on the page's #graphiql element, from the site's own copies of React, ReactDOM and
// GraphiQL (no other host: the page's CSP allows scripts of the site only). A query in the address
// (?q=…, its variables ?v=…; not ?query=, which /graphql answers with JSON) opens in the editor, and
// what is typed is kept in the address, to share.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var parameters = new URLSearchParams(window.location.search);
  var EXAMPLE = [
    "# The catalogue's GraphQL API.",
    "# Run the query with Ctrl-Enter or the play button;",
    "# the Docs pane lists every type and field.",
    "{",
    "  pillars {",
    "    code",
    "    label",
    "  }",
    "}",
    "",
  ].join("\n");

  function remember(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    var search = parameters.toString();
    window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  // CodeMirror's hidden text areas are what a screen reader focuses: each gets the name of its editor.
  var EDITOR_NAMES = [
    [".graphiql-query-editor", "Query"],
    [".graphiql-editor-tool .graphiql-editor:first-child", "Variables"],
    [".graphiql-editor-tool .graphiql-editor:nth-child(2)", "Headers"],
    [".result-window", "Result"],
  ];
  function nameEditors() {
    EDITOR_NAMES.forEach(function (entry) {
      root.querySelectorAll(entry[0] + " textarea:not([aria-label])").forEach(function (area) {
        area.setAttribute("aria-label", entry[1]);
      });
    });
    root.querySelectorAll("textarea:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", "Editor");
    });
  }
  new MutationObserver(nameEditors).observe(root, { childList: true, subtree: true });

  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });
  ReactDOM.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      query: parameters.get("q") || undefined,
      variables: parameters.get("v") || undefined,
      onEditQuery: function (query) { remember("q", query); },
      onEditVariables: function (variables) { remember("v", variables); },
    }),
    root
  );
})();
