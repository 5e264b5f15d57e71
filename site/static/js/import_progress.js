// The progress bar of a running spreadsheet import (models_registry/import_admin.py): polls the
// job's status URL and reloads the page, which then shows the result, once the job has finished.
(function () {
    "use strict";
    var box = document.querySelector("[data-import-progress]");
    if (!box || !window.fetch) {
        return;
    }
    var bar = box.querySelector("[data-import-progress-bar]");
    var text = box.querySelector("[data-import-progress-text]");
    var label = document.querySelector("[data-import-status-label]");
    var url = box.getAttribute("data-status-url");
    var format = new Intl.NumberFormat("vi-VN");

    function poll() {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) {
                if (!response.ok) {
                    throw new Error(response.status);
                }
                return response.json();
            })
            .then(function (state) {
                if (state.finished) {
                    window.location.reload();
                    return;
                }
                bar.value = state.percent;
                bar.textContent = state.percent + "%";
                if (text) {
                    text.textContent = format.format(state.rows_done) + " / " + format.format(state.rows_total);
                }
                if (label) {
                    label.textContent = state.status_label;
                }
                window.setTimeout(poll, 2000);
            })
            .catch(function () {
                window.setTimeout(poll, 5000);
            });
    }

    window.setTimeout(poll, 1000);
})();
