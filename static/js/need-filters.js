// /needs/: wide screens show the filter panel as an open sidebar; phones keep it folded (the
// chips above the results say what is in use). Loaded right after the panel, so it opens
// before the page is first drawn. Without script the panel simply stays folded.
"use strict";
if (window.matchMedia("(min-width: 60em)").matches) {
    document.getElementById("need-filters").open = true;
}
