import { registry } from "@web/core/registry";

// Three rows: above the background threshold the tour's test sets (two rows).
const EXPORT = [
    "订单号,酒店名称,入住人,联系电话,邮箱,房型,入住日期,离店日期,间夜数,订单金额,订单状态,预订时间",
    "CTBG0001,TOUR,王芳,139 0000 1001,wangfang@example.com,套房,2026-03-01,2026-03-03,2,2400.00,已离店,2026-02-20 14:00",
    "CTBG0002,TOUR,张伟,139 0000 1002,zhangwei.bg@example.com,标准大床房,2026-04-01,2026-04-02,1,600.00,已离店,2026-03-20 09:30",
    "CTBG0003,TOUR,李娜,139 0000 1003,,标准大床房,2026-05-01,2026-05-03,2,1200.00,已离店,2026-04-20 10:00",
].join("\r\n");

async function uploadExport() {
    const input = document.querySelector(".o_field_widget[name=file] input[type=file]");
    const file = new File([EXPORT], "ctrip_large.csv", { type: "text/csv" });
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(file);
    input.files = dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

registry.category("web_tour.tours").add("hotel_import_background_tour", {
    steps: () => [
        {
            content: "Choose the Ctrip source",
            trigger: ".modal .o_field_widget[name=preset_id] input",
            run: "edit Ctrip",
        },
        {
            content: "Pick the Ctrip preset",
            trigger: ".o-autocomplete--dropdown-item:contains('Ctrip')",
            run: "click",
        },
        {
            content: "Upload a large export",
            trigger: ".modal .o_field_widget[name=file]",
            run: uploadExport,
        },
        {
            content: "The file is loaded",
            trigger: ".modal .o_field_widget[name=file] .o_clear_file_button",
        },
        {
            content: "Run the dry run",
            trigger: ".modal .o_hotel_import_dry_run",
            run: "click",
        },
        {
            content: "The request returns at once: the background job opens, queued",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Queued')",
        },
        {
            content: "The job is named after the file",
            trigger: ".o_form_view .o_field_widget[name=name]:contains('ctrip_large.csv')",
        },
        {
            content: "Its progress bar is there",
            trigger: ".o_form_view .o_field_widget[name=progress] .o_progressbar",
        },
    ],
});

registry.category("web_tour.tours").add("hotel_job_progress_tour", {
    steps: () => [
        {
            content: "The job shows its stage",
            trigger: ".o_form_view .o_field_widget[name=stage]:contains('Importing rows')",
        },
        {
            content: "... the rows done out of the total",
            trigger: ".o_form_view .o_field_widget[name=total]:contains('12')",
        },
        {
            content: "... and a progress bar part way",
            trigger: ".o_form_view .o_field_widget[name=progress] .o_progressbar_value:contains('33')",
        },
        {
            content: "Cancel the job",
            trigger: ".o_form_view button[name=action_cancel]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The cancellation is requested: the job stops after its batch",
            trigger: ".o_form_view .alert-warning:contains('Cancellation requested')",
        },
    ],
});
