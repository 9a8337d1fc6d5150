// Demo market search page: lazy images (IntersectionObserver) and infinite scroll from the JSON endpoint.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("__NEXT_DATA__").textContent).props.pageProps;
  const cls = JSON.parse(document.getElementById("__MARKET_CONFIG__").textContent).classes;
  const grid = document.querySelector('[data-qa="search_grid"]');
  const sentinel = document.querySelector('[data-qa="search_sentinel"]');
  const status = document.querySelector('[data-qa="search_status"]');
  const urls = new WeakMap();
  const pageLimit = data.pageLimit;
  let nextPage = 2;
  let busy = false;
  let done = data.productsList.length < pageLimit;

  const lazy = new IntersectionObserver(function (entries) {
    for (const e of entries) {
      if (e.isIntersecting) {
        e.target.src = urls.get(e.target);
        lazy.unobserve(e.target);
      }
    }
  }, { rootMargin: "200px" });

  function price(cents) {
    return cents === null || cents === undefined ? "" : "$" + Math.floor(cents / 100).toLocaleString("en-US");
  }

  function div(qa, className, text) {
    const d = document.createElement("div");
    d.setAttribute("data-qa", qa);
    d.className = className;
    d.textContent = text;
    return d;
  }

  function card(p) {
    const cell = div("grid_cell_product", cls.cell, "");
    const a = document.createElement("a");
    a.href = "/sneakers/" + p.slug;
    const img = document.createElement("img");
    img.setAttribute("data-qa", "grid_cell_product_image");
    img.className = cls.image;
    img.src = data.placeholder;
    img.alt = p.title;
    a.appendChild(img);
    a.appendChild(div("grid_cell_product_name", cls.name, p.title));
    a.appendChild(div("grid_cell_product_release_date", cls.date, (p.releaseDate || "").slice(0, 4)));
    a.appendChild(div("grid_cell_product_price", cls.price, price(p.lowestPriceCents)));
    cell.appendChild(a);
    return cell;
  }

  function watch(cell, p) {
    const img = cell.querySelector('[data-qa="grid_cell_product_image"]');
    urls.set(img, p.pictureUrl);
    lazy.observe(img);
  }

  function nearBottom() {
    return sentinel.getBoundingClientRect().top < window.innerHeight + 600;
  }

  function load(attempt) {
    if (done || (busy && attempt === 0)) return;
    busy = true;
    const url = "/web-api/consumer-search/get-product-search-results?queryString=" +
      encodeURIComponent(data.query) + "&pageLimit=" + pageLimit + "&pageNumber=" + nextPage;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) {
          const err = new Error("HTTP " + r.status);
          err.retryAfter = parseFloat(r.headers.get("Retry-After"));
          throw err;
        }
        return r.json();
      })
      .then(function (body) {
        const list = body.data.productsList;
        for (const p of list) {
          const c = card(p);
          grid.appendChild(c);
          watch(c, p);
        }
        nextPage += 1;
        done = list.length < pageLimit;
        busy = false;
        if (done) status.textContent = "End of results";
        else if (nearBottom()) load(0);
      })
      .catch(function (err) {
        if (attempt + 1 >= 8) {
          busy = false;
          status.textContent = "Could not load more results";
          return;
        }
        const wait = err.retryAfter > 0 ? err.retryAfter * 1000 : 300;
        setTimeout(function () { load(attempt + 1); }, wait);
      });
  }

  const cells = grid.querySelectorAll('[data-qa="grid_cell_product"]');
  data.productsList.forEach(function (p, i) { watch(cells[i], p); });
  if (done) status.textContent = data.productsList.length ? "End of results" : "No results";
  new IntersectionObserver(function (entries) {
    if (entries.some(function (e) { return e.isIntersecting; })) load(0);
  }, { rootMargin: "600px" }).observe(sentinel);
})();
