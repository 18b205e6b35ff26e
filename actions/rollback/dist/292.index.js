export const id = 292;
export const ids = [292];
export const modules = {

/***/ 2292:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fileSchema: () => (/* binding */ fileSchema)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8476);
/* harmony import */ var _file_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3535);


/** The shape of the JSON ledger file (see file.ts), checked whenever the file is read. */
const statusSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    status: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['in_progress', 'success', 'failure', 'error', 'inactive']),
    reason: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    logUrl: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    environmentUrl: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    at: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
});
const recordSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    id: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    environment: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    version: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    slot: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    commit: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    rollbackFrom: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
    owner: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
        kind: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['shift', 'rollback']),
        run: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().optional(),
        attempt: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().positive().optional(),
    })
        .optional(),
    flip: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().optional(),
    createdAt: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP(),
    /** Oldest first, like a deployment's statuses on GitHub. */
    statuses: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(statusSchema),
});
const fileSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    version: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz(_file_js__WEBPACK_IMPORTED_MODULE_1__/* .formatVersion */ .q),
    nextId: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().positive(),
    releases: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(recordSchema),
});


/***/ })

};
