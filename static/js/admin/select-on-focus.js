// Selects the whole value of a field marked data-select-on-focus when it gets focus (a key
// shown once, to be copied), in place of an onfocus attribute the Content-Security-Policy blocks.
"use strict";
document.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.matches("[data-select-on-focus]")) {
        event.target.select();
    }
});
