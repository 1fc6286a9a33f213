import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("hotel_marketing_loyalty_segment_tour", {
    steps: () => [
        {
            content: "Open the favourite filters of the mailing",
            trigger: ".o_field_widget[name=mailing_filter_id] input",
            run: "edit Dormant",
        },
        {
            content: "Pick the dormant Gold members segment",
            trigger: ".o-autocomplete--dropdown-item:contains('Dormant Gold members')",
            run: "click",
        },
        {
            content: "Preview the segment",
            trigger: "button[name=action_hotel_preview_segment]",
            run: "click",
        },
        {
            content: "Three guests in the segment",
            trigger: ".modal .o_field_widget[name=segment_count]:contains('3')",
        },
        {
            content: "Two of them may be mailed",
            trigger: ".modal .o_field_widget[name=mailable_count]:contains('2')",
        },
        {
            content: "The sample lists a consenting member",
            trigger: ".modal .o_field_widget[name=sample_ids] .o_data_row:contains('金卡甲 Tour')",
        },
        {
            content: "Close the preview",
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "Send a test",
            trigger: "body:not(:has(.modal)) button[name=action_test]",
            run: "click",
        },
        {
            content: "Address of the test mail",
            trigger: ".modal .o_field_widget[name=email_to] textarea",
            run: "edit test.gold@example.com",
        },
        {
            content: "Send the test mailing",
            trigger: ".modal button[name=send_mail_test]",
            run: "click",
        },
        {
            content: "The test dialog closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
