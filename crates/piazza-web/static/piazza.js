// Piazza's own script, loaded (deferred) before the Bootstrap Italia bundle.
// Nothing essential depends on it: every page and form works with
// JavaScript disabled.

// Bootstrap Italia resolves its font folder from window.__PUBLIC_PATH__.
// Piazza does not call the kit's loadFonts(): it injects an inline <style>,
// which the Content-Security-Policy (style-src 'self') forbids. The same
// @font-face rules are served as /static/fonts.css instead; the path is set
// here so that any component of the kit looking for the fonts finds them.
window.__PUBLIC_PATH__ = '/static/fonts';

// The video player bundled in the kit injects inline <style> elements when
// it loads, which the Content-Security-Policy blocks (a console error on
// every page). This documented switch turns that off.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
