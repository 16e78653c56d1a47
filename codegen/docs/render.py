"""Stage: docs IR -> files: a self-contained static site (HTML with inline CSS, inline JS and
an inline JSON search index; no network) and the same reference as Markdown.

HTML goes through a Jinja2 environment with autoescaping ON: every schema name and
description is escaped by Jinja itself. The only values marked safe are built here: the SVG
diagram (its text escaped by :mod:`codegen.docs.diagram`), the CSS and script (constants) and
the search index (JSON whose ``<``, ``>`` and ``&`` are ``\\u`` escapes, so ``</script>`` in a
description cannot close the element). A Content-Security-Policy allows no network and only
the page's own script (by hash). Markdown escapes through the ``md``/``code``/``fence`` filters.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from codegen import __version__
from codegen.docs.diagram import diagram_svg
from codegen.docs.model import SiteDoc

__all__ = ["expand_index", "render_markdown", "render_site", "search_entries", "search_index"]

_CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde2ea;--bg:#f7f8fa;--acc:#3b5bdb;--cus:#c2410c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
header{position:sticky;top:0;z-index:2;display:flex;gap:18px;align-items:center;flex-wrap:wrap;padding:10px 24px;background:var(--bg);border-bottom:1px solid var(--line)}
.brand{font-weight:700;color:var(--fg);text-decoration:none}.brand span{font-weight:400;color:var(--muted)}
nav a{margin-right:12px;color:var(--acc);text-decoration:none}
.search{position:relative;margin-left:auto}
#search{width:300px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;font:inherit}
#search-results{position:absolute;right:0;width:440px;max-height:420px;overflow:auto;margin:4px 0 0;padding:6px 0;list-style:none;background:#fff;border:1px solid var(--line);border-radius:6px;box-shadow:0 6px 24px rgba(0,0,0,.12)}
#search-results li{padding:3px 12px}#search-results .kind{color:var(--muted);font-size:12px}
main{padding:8px 24px 40px;max-width:1400px}
h1{font-size:24px}h2{margin-top:28px;font-size:18px}h3{margin:0;font-size:15px}h3 code{font-size:15px}
.lead{font-size:15px}.note{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{background:var(--bg);font-weight:600}
td:first-child code{white-space:nowrap}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 12px;overflow:auto;white-space:pre-wrap}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;background:#e7ebf3;color:var(--muted);vertical-align:middle}
.badge.custom{background:#ffedd5;color:var(--cus)}
.options{color:var(--muted);font-size:12px;margin-top:2px}
.opt{white-space:nowrap}.dot{display:inline-block;width:8px;height:8px;margin-right:3px;border-radius:50%;background:#c3c9d4}
.dot.c-green{background:#2f9e44}.dot.c-turquoise{background:#12b886}.dot.c-sky{background:#22b8cf}
.dot.c-blue{background:#3b5bdb}.dot.c-purple{background:#7048e8}.dot.c-pink{background:#d6336c}.dot.c-red{background:#e03131}
.dot.c-orange{background:#f76707}.dot.c-yellow{background:#f59f00}.dot.c-gray{background:#868e96}
.method{border-top:1px solid var(--line);padding-top:10px;margin-top:10px}
.diagram-wrap{overflow:auto;border:1px solid var(--line);border-radius:6px}
.diagram{display:block;max-width:100%;height:auto;margin:0 auto}
.diagram .edges path{fill:none;stroke:#9aa6bd;stroke-width:1}
.diagram .node rect{fill:#eef2ff;stroke:var(--acc)}.diagram .node.custom rect{fill:#ffedd5;stroke:var(--cus)}
.diagram text{font:12px system-ui,sans-serif;fill:var(--fg)}
.op-added td:first-child{color:#15803d}.op-removed td:first-child{color:#b91c1c}.op-retyped td:first-child{color:#a16207}
footer{padding:16px 24px;color:var(--muted);border-top:1px solid var(--line);font-size:12px}
""".strip()

# Builds result items with textContent/createElement only (never innerHTML); hrefs come from
# the index, whose URLs are our own page names and [A-Za-z0-9_-] anchors.
_SCRIPT = """
(function () {
  "use strict";
  // the compact index (see search_index in codegen/docs/render.py) -> [kind, name, detail, url]
  var idx = JSON.parse(document.getElementById("search-index").textContent);
  function anchor(s) { return s.replace(/[^A-Za-z0-9_-]/g, "-"); }
  var data = [];
  idx.o.forEach(function (o) {
    var page = "objects/" + anchor(o[1]) + ".html";
    data.push(["object", o[0], o[2] ? "custom" : "standard", page]);
    o[4].forEach(function (f) {
      data.push(["field", o[0] + "." + f[0], idx.t[f[1]] || "", page + "#f-" + anchor(f[0])]);
    });
    o[5].forEach(function (m) {
      data.push(["method", "crm." + o[3] + "." + m, "", page + "#m-" + anchor(m)]);
    });
  });
  idx.f.forEach(function (f) { data.push(["filter", f, "", "filters.html#" + anchor(f)]); });
  idx.m.forEach(function (m) {
    data.push(["metadata", m[0], m[1], "metadata.html#op-" + anchor(m[0])]);
  });
  var root = document.body.getAttribute("data-root") || "";
  var box = document.getElementById("search");
  var out = document.getElementById("search-results");
  function item(text, href, kind) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = root + href;
      a.textContent = text;
      li.appendChild(a);
    } else {
      li.textContent = text;
    }
    if (kind) {
      var s = document.createElement("span");
      s.className = "kind";
      s.textContent = " " + kind;
      li.appendChild(s);
    }
    return li;
  }
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    while (out.firstChild) out.removeChild(out.firstChild);
    if (!q) { out.hidden = true; return; }
    var first = [], rest = [];
    for (var i = 0; i < data.length; i++) {
      var name = data[i][1].toLowerCase();
      var at = name.lastIndexOf(".") + 1;
      if (name.slice(at).indexOf(q) === 0) first.push(data[i]);
      else if (name.indexOf(q) >= 0 || data[i][2].toLowerCase().indexOf(q) >= 0) rest.push(data[i]);
    }
    var hits = first.concat(rest).slice(0, 60);
    for (var j = 0; j < hits.length; j++) {
      out.appendChild(item(hits[j][1], hits[j][3], hits[j][0] + (hits[j][2] ? " \\u00b7 " + hits[j][2] : "")));
    }
    if (!hits.length) out.appendChild(item("no match", "", ""));
    out.hidden = false;
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      var a = out.querySelector("a");
      if (a) window.location.href = a.href;
    }
  });
})();
""".strip()

_ANCHOR = re.compile(r"[^A-Za-z0-9_-]")


def anchor(name: str) -> str:
    """An id/fragment made of ``[A-Za-z0-9_-]`` only."""
    return _ANCHOR.sub("-", name)


def script_json(value: object) -> Markup:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left, ASCII only."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _md(text: str) -> str:
    flat = re.sub(r"\s+", " ", str(text))
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+!|~])", r"\\\1", flat)


def _code(text: str) -> str:
    """A code span; text a span cannot hold inertly (backticks end it early; ``<``/``&`` are
    literal inside one) is written as escaped plain text instead."""
    flat = " ".join(str(text).split())
    if not flat:
        return ""
    if any(ch in flat for ch in "`<>&\\"):
        return _md(flat)
    return "`" + flat.replace("|", "\\|") + "`"


_LITERAL = re.compile(r"``(.+?)``")


def doc_html(text: str) -> Markup:
    """Docstring text with its ````literal```` spans as ``<code>``; every part escaped first."""
    parts = _LITERAL.split(str(text))
    return Markup("").join(
        Markup("<code>%s</code>") % part if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def doc_md(text: str) -> str:
    """The same for Markdown: literals become code spans (or escaped text, see ``_code``)."""
    parts = _LITERAL.split(" ".join(str(text).split()))
    return "".join(_code(part) if i % 2 else _md(part) for i, part in enumerate(parts))


def _fence(text: str) -> str:
    return str(text).replace("```", "`\u200b``")


@lru_cache(maxsize=2)
def _env(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("codegen.docs", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=not markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["anchor"] = anchor
    env.filters["md"] = _md
    env.filters["code"] = _code
    env.filters["fence"] = _fence
    env.filters["doc"] = doc_md if markdown else doc_html
    return env


def search_index(site: SiteDoc) -> dict[str, Any]:
    """The compact search index every page carries (names and where they are, nothing the
    script can derive: URLs are rebuilt from slugs and names, field types are indices into
    one table)::

        {"t": [field type, ...],
         "o": [[record, slug, custom (0/1), crm attribute, [[field, type index], ...],
                [method, ...]], ...],
         "f": [filter input, ...],
         "m": [[metadata function, its facade method or ""], ...]}

    :func:`expand_index` (and the page script) turn it into :func:`search_entries`."""
    types = sorted({f.py_type or f.graphql_type for o in site.objects for f in o.fields})
    at = {t: i for i, t in enumerate(types)}
    return {
        "t": types,
        "o": [
            [
                o.name,
                o.slug,
                1 if o.custom else 0,
                o.api_attr,
                [[f.wire, at[f.py_type or f.graphql_type]] for f in o.fields],
                [meth.name for meth in o.methods],
            ]
            for o in site.objects
        ],
        "f": [flt.name for flt in site.filters],
        "m": [[op.func, op.facade] for op in site.metadata_ops],
    }


def expand_index(idx: dict[str, Any]) -> list[list[str]]:
    """What the page script makes of :func:`search_index`: ``[kind, name, detail, url]``."""
    out: list[list[str]] = []
    types: list[str] = idx["t"]
    for name, slug, custom, attr, fields, methods in idx["o"]:
        page = f"objects/{anchor(slug)}.html"
        out.append(["object", name, "custom" if custom else "standard", page])
        out += [["field", f"{name}.{w}", types[t], f"{page}#f-{anchor(w)}"] for w, t in fields]
        out += [["method", f"crm.{attr}.{m}", "", f"{page}#m-{anchor(m)}"] for m in methods]
    out += [["filter", f, "", f"filters.html#{anchor(f)}"] for f in idx["f"]]
    out += [["metadata", f, fac, f"metadata.html#op-{anchor(f)}"] for f, fac in idx["m"]]
    return out


def search_entries(site: SiteDoc) -> list[list[str]]:
    """``[kind, name, detail, url]`` per object, field, method, filter and metadata function
    (url from the site root): what the search looks through."""
    return expand_index(search_index(site))


def _tidy(text: str) -> str:
    return text.rstrip("\n") + "\n"


def render_site(site: SiteDoc) -> dict[str, str]:
    """``{relative path: HTML}``: index, diagram, filters, metadata, changelog, one page per
    object. Deterministic: the same ``site`` gives the same bytes."""
    env = _env(False)
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    slugs = {o.name: o.slug for o in site.objects}
    common = {
        "site": site,
        "version": __version__,
        "css": Markup(_CSS),
        "script": Markup(_SCRIPT),
        "script_hash": f"sha256-{digest}",
        "search_json": script_json(search_index(site)),
        "slugs": slugs,
    }
    files: dict[str, str] = {}
    for page in ("index", "diagram", "filters", "metadata", "changelog"):
        extra = {"diagram": diagram_svg(site.objects)} if page in ("index", "diagram") else {}
        files[f"{page}.html"] = _tidy(
            env.get_template(f"{page}.html.j2").render(root="", **common, **extra)
        )
    tpl = env.get_template("object.html.j2")
    for o in site.objects:
        files[f"objects/{o.slug}.html"] = _tidy(tpl.render(root="../", o=o, **common))
    return dict(sorted(files.items()))


def render_markdown(site: SiteDoc) -> dict[str, str]:
    """The same reference as Markdown: ``{relative path: text}``."""
    env = _env(True)
    files = {
        f"{page}.md": _tidy(env.get_template(f"{page}.md.j2").render(site=site))
        for page in ("index", "filters", "metadata", "changelog")
    }
    tpl = env.get_template("object.md.j2")
    for o in site.objects:
        files[f"objects/{o.slug}.md"] = _tidy(tpl.render(o=o, site=site))
    # the diagram as an image beside the Markdown (its boxes link to the HTML pages)
    files["diagram.svg"] = _tidy(str(diagram_svg(site.objects, prefix="../")))
    return dict(sorted(files.items()))
