"""The web faces served by the app: the start page, the API docs served offline and the
citizen's pages (the checkpoint scanner and the authority console come later, each a folder of
templates and scripts and a module of routes). Server-rendered HTML with small ES modules;
every script and style is in ``static/`` (vendored ones with their licences), nothing from a
CDN. See docs/web.md."""
