// The story form's helpers. Without this file the form works the same; with it the
// editor's work is autosaved as they type, leaving with unsaved changes asks first,
// and the length and the address are shown as they change.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = form.querySelector(".autosave-status");
  var wordsPerMinute = 230; // as handlers/admin_articles.go
  var dirty = false, timer = null, sending = false, again = false;

  // The form's fields without the photo file, as the server's form reader takes them.
  function fields() {
    var data = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string") data.append(k, v);
    });
    data.set("article", form.dataset.article);
    return data;
  }

  function save() {
    timer = null;
    if (sending) { again = true; return; }
    sending = true;
    fetch(form.dataset.autosave, { method: "POST", body: fields(), credentials: "same-origin" })
      .then(function (res) {
        return res.text().then(function (t) { status.textContent = res.ok ? t : "Not autosaved: " + res.status + "."; });
      })
      .catch(function () { status.textContent = "Not autosaved: the server could not be reached."; })
      .then(function () {
        sending = false;
        if (again) { again = false; save(); }
      });
  }

  function changed() {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 2000);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; if (timer) clearTimeout(timer); });

  // A closing tab gets one last autosave, and a warning if anything is unsaved.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) {
      clearTimeout(timer);
      timer = null;
      navigator.sendBeacon(form.dataset.autosave, fields());
    }
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });

  // Length and reading time of the body.
  var body = document.getElementById("f-body");
  var count = document.getElementById("f-body-count");
  function counted() {
    var n = body.value.split(/\s+/).filter(Boolean).length;
    count.querySelector(".words").textContent = n + (n === 1 ? " word" : " words");
    count.querySelector(".minutes").textContent = Math.max(1, Math.ceil(n / wordsPerMinute)) + " min";
  }
  body.addEventListener("input", counted);

  // The address: the slug typed, or the one the headline makes (models.Slugify for
  // Latin text; other scripts are left to the server, which the saved form shows).
  var title = document.getElementById("f-title");
  var slug = document.getElementById("f-slug");
  var preview = document.querySelector(".slug-preview");
  function slugify(s) {
    var out = s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
    if (out.length > 80) { // cut at a word's end, as the server does
      out = out.slice(0, 80);
      if (out.lastIndexOf("-") > 0) out = out.slice(0, out.lastIndexOf("-"));
    }
    return out;
  }
  function addressed() {
    preview.textContent = slug.value.trim() || slugify(title.value);
  }
  title.addEventListener("input", addressed);
  slug.addEventListener("input", addressed);
})();
