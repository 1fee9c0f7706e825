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

// Keyboard shortcuts of the inbox (progressive enhancement: every comment
// also opens from its own link). j: next comment, k: previous comment,
// Enter: open the highlighted one (the focused link follows natively).
document.addEventListener('DOMContentLoaded', function () {
  var table = document.querySelector('[data-piazza-shortcuts]');
  if (!table) return;
  var links = Array.prototype.slice.call(table.querySelectorAll('a.piazza-item-link'));
  if (links.length === 0) return;
  var current = -1;
  function select(i) {
    if (current >= 0) links[current].closest('tr').classList.remove('piazza-current');
    current = Math.max(0, Math.min(links.length - 1, i));
    links[current].closest('tr').classList.add('piazza-current');
    links[current].focus();
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(t.tagName))) return;
    if (e.key === 'j') {
      e.preventDefault();
      select(current + 1);
    } else if (e.key === 'k') {
      e.preventDefault();
      select(current - 1);
    }
  });
});
