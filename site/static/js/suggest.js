/* Type-ahead for the header search box: titles from GET /api/v1/models/suggest?q=.
 *
 * Progressive enhancement: without this script the box is a plain GET form to /tim-kiem/.
 * The input is an ARIA 1.2 combobox whose listbox lists the suggestions; Down/Up move through
 * them (aria-activedescendant keeps focus in the input), Enter opens the chosen model or, with
 * none chosen, submits the search, Escape closes the list (and clears the box when already closed).
 * Requests are debounced and a stale answer never replaces a newer one. No inline code or styles:
 * the page's Content-Security-Policy need not allow either.
 */
(function () {
    "use strict";

    var DEBOUNCE_MS = 200;
    var MIN_CHARS = 2;

    function setUp(input) {
        var url = input.getAttribute("data-suggest-url");
        var listbox = document.getElementById(input.getAttribute("aria-controls"));
        var live = input.form ? input.form.querySelector("[data-suggest-live]") : null;
        if (!url || !listbox || !window.fetch) {
            return;
        }
        var timer = null;
        var controller = null;
        var latest = 0;
        var active = -1;
        var lastQuery = "";

        function options() {
            return listbox.querySelectorAll("[role=option]");
        }

        function announce(text) {
            if (live) {
                live.textContent = text;
            }
        }

        function close() {
            listbox.hidden = true;
            input.setAttribute("aria-expanded", "false");
            input.removeAttribute("aria-activedescendant");
            active = -1;
        }

        function open() {
            listbox.hidden = false;
            input.setAttribute("aria-expanded", "true");
        }

        function highlight(index) {
            var items = options();
            if (!items.length) {
                return;
            }
            if (index < 0) {
                index = items.length - 1;
            } else if (index >= items.length) {
                index = 0;
            }
            for (var i = 0; i < items.length; i++) {
                items[i].setAttribute("aria-selected", i === index ? "true" : "false");
            }
            active = index;
            input.setAttribute("aria-activedescendant", items[index].id);
            items[index].scrollIntoView({ block: "nearest" });
        }

        function go(item) {
            var target = item && item.getAttribute("data-url");
            if (target) {
                close();
                window.location.assign(target);
            }
        }

        function render(suggestions) {
            listbox.textContent = "";
            active = -1;
            input.removeAttribute("aria-activedescendant");
            suggestions.forEach(function (suggestion, index) {
                var item = document.createElement("li");
                item.id = listbox.id + "-" + index;
                item.setAttribute("role", "option");
                item.setAttribute("aria-selected", "false");
                item.setAttribute("data-url", suggestion.url);
                item.className = "site-search__suggestion";
                item.textContent = suggestion.title; // text, never HTML: titles are user content
                listbox.appendChild(item);
            });
            if (suggestions.length) {
                open();
                announce((input.getAttribute("data-suggest-status") || "").replace("{count}", suggestions.length));
            } else {
                close();
                announce(input.getAttribute("data-suggest-none") || "");
            }
        }

        function fetchSuggestions() {
            var query = input.value.trim();
            if (query === lastQuery) {
                return;
            }
            lastQuery = query;
            if (query.length < MIN_CHARS) {
                listbox.textContent = "";
                close();
                return;
            }
            if (controller) {
                controller.abort();
            }
            controller = window.AbortController ? new AbortController() : null;
            var ticket = ++latest;
            var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
            window
                .fetch(address, {
                    headers: { Accept: "application/json" },
                    signal: controller ? controller.signal : undefined,
                })
                .then(function (response) {
                    return response.ok ? response.json() : { suggestions: [] };
                })
                .then(function (data) {
                    if (ticket === latest) {
                        render(Array.isArray(data.suggestions) ? data.suggestions : []);
                    }
                })
                .catch(function () {
                    /* Aborted or offline: the plain search still works. */
                });
        }

        input.addEventListener("input", function () {
            window.clearTimeout(timer);
            timer = window.setTimeout(fetchSuggestions, DEBOUNCE_MS);
        });

        input.addEventListener("keydown", function (event) {
            var expanded = !listbox.hidden && options().length > 0;
            switch (event.key) {
                case "ArrowDown":
                    if (expanded) {
                        highlight(active + 1);
                    } else if (options().length) {
                        open();
                        highlight(0);
                    }
                    event.preventDefault();
                    break;
                case "ArrowUp":
                    if (expanded) {
                        highlight(active - 1);
                        event.preventDefault();
                    }
                    break;
                case "Enter":
                    if (expanded && active >= 0) {
                        event.preventDefault();
                        go(options()[active]);
                    }
                    break;
                case "Escape":
                    if (expanded) {
                        close();
                    } else {
                        input.value = "";
                        lastQuery = "";
                    }
                    event.preventDefault();
                    break;
                default:
                    break;
            }
        });

        // mousedown, not click: a click would first blur the input and close the list.
        listbox.addEventListener("mousedown", function (event) {
            event.preventDefault();
            var item = event.target.closest("[role=option]");
            if (item) {
                go(item);
            }
        });

        input.addEventListener("blur", close);
    }

    function start() {
        var inputs = document.querySelectorAll("input[data-suggest-url]");
        for (var i = 0; i < inputs.length; i++) {
            setUp(inputs[i]);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
