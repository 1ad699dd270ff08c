/* Function file of the ribbon: no ExecuteFunction commands yet; Office needs the page to load. */
"use strict";
if (typeof Office !== "undefined") Office.onReady(() => {});
