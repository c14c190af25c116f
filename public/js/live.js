// Progressive enhancement for a live story: a server-sent event says the story changed
// and the script fetches the page again and swaps in its live section. Without this
// script (or without EventSource) the page is complete as served; a reload shows new
// entries. The stream carries no HTML: the page is the one source of what readers see.
(function () {
  "use strict";
  var section = document.getElementById("live");
  if (!section || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = section.getAttribute("data-live-stream");
  var version = section.getAttribute("data-live-version");
  if (!url) {
    return; // coverage closed: nothing will change
  }
  var hint = section.querySelector(".live-reload");
  if (hint) {
    hint.hidden = true; // the page updates itself
  }
  var events = new EventSource(url + "?v=" + encodeURIComponent(version));
  var busy = false;
  var again = false;

  function count(root) {
    return root.querySelectorAll(".live-entries > li").length;
  }

  // refresh fetches the page and replaces the live section with the new one, keeping
  // the reader's place; a change arriving meanwhile fetches once more after.
  function refresh(closed) {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-cache" })
      .then(function (res) {
        if (!res.ok) {
          throw new Error("status " + res.status);
        }
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live");
        if (!fresh) {
          return;
        }
        var before = count(section);
        var current = document.getElementById("live");
        current.innerHTML = fresh.innerHTML;
        current.className = fresh.className;
        var status = current.querySelector(".live-status");
        var added = count(current) - before;
        var freshHint = current.querySelector(".live-reload");
        if (freshHint) {
          freshHint.hidden = true;
        }
        if (status && added > 0) {
          var note = document.createElement("span");
          note.className = "live-new";
          note.textContent = " " + added + (added === 1 ? " new entry." : " new entries.");
          status.appendChild(note);
        }
        if (closed) {
          events.close();
        }
      })
      .catch(function () {
        // Network trouble: the next event, or a reload, tries again.
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh(false);
        }
      });
  }

  events.addEventListener("update", function () {
    refresh(false);
  });
  events.addEventListener("closed", function () {
    refresh(true);
  });
})();
