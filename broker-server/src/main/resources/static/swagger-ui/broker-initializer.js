// Points Swagger UI at the broker's own document. The URL is fixed here: the view has no box to
// load another document (BaseLayout, no top bar) and never reads one named in its query string
// (queryConfigEnabled stays off).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/v3/api-docs",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
