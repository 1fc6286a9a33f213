import { registry } from "@web/core/registry";

// A Ctrip eBooking export as guest relations download it (UTF-8 here; the real one is
// GB18030, which the import reads as well). The third row is broken on purpose.
const CTRIP_EXPORT = [
    "订单号,酒店名称,入住人,联系电话,邮箱,房型,入住日期,离店日期,间夜数,订单金额,订单状态,预订时间",
    "CTTOUR0001,TOUR,Nana Ouyang,135 1111 2222,m8800001@m.ctrip.com,套房,2026-03-01,2026-03-03,2,2400.00,已离店,2026-02-20 14:00",
    "CTTOUR0002,TOUR,张伟,139 0000 1234,zhangwei@example.com,标准大床房,2026-04-01,2026-04-02,1,600.00,已离店,2026-03-20 09:30",
    "CTTOUR0003,TOUR,李娜,139 0000 5678,,标准大床房,2026-05-03,2026-05-01,2,1200.00,已离店,2026-04-20 10:00",
].join("\r\n");

async function uploadExport() {
    const input = document.querySelector(".o_field_widget[name=file] input[type=file]");
    const file = new File([CTRIP_EXPORT], "ctrip_tour.csv", { type: "text/csv" });
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(file);
    input.files = dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

registry.category("web_tour.tours").add("hotel_import_tour", {
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
            content: "Upload the Ctrip export",
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
            content: "The dry run counts two stays to create",
            trigger: ".modal .o_field_widget[name=stays_created]:contains('2')",
        },
        {
            content: "The broken row is listed with its reason",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('is not after check-in')",
        },
        {
            content: "Apply the import",
            trigger: ".modal .o_hotel_import_apply",
            run: "click",
        },
        {
            content: "The import log shows the applied import",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Applied')",
        },
        {
            content: "Open the duplicate review queue",
            trigger: ".o_form_view",
            run: "goToUrl /odoo/action-hotel_import.hotel_duplicate_candidate_action",
        },
        {
            content: "Merge the proposed duplicate",
            trigger: ".o_list_view .o_data_row:contains('Nana Ouyang') .o_hotel_candidate_merge",
            run: "click",
        },
        {
            content: "The surviving guest opens",
            trigger: ".o_form_view .o_field_widget[name=name] input",
        },
        {
            content: "The survivor has the imported stay",
            trigger: ".o_form_view .oe_stat_button:contains('Stays') .o_stat_value:contains('1')",
        },
    ],
});
