import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("hotel_crm_guest_tour", {
    steps: () => [
        {
            content: "Open the guest from the guest list",
            trigger: ".o_list_view .o_data_row .o_data_cell:contains('欧阳娜娜 Tour Guest')",
            run: "click",
        },
        {
            content: "The VIP ribbon marks the guest",
            trigger: ".ribbon:contains('VIP')",
        },
        {
            content: "The header shows the guest type",
            trigger: ".o_hotel_guest_header .badge:contains('Business')",
        },
        {
            content: "The header shows the rule-driven tags",
            trigger: ".o_hotel_guest_tags .o_tag:contains('Frequent Guest')",
        },
        {
            content: "The VIP tag comes from the VIP rule",
            trigger: ".o_hotel_guest_tags .o_tag:contains('VIP')",
        },
        {
            content: "The stays smart button counts the stays",
            trigger: ".oe_stat_button:contains('Stays') .o_stat_value:contains('3')",
        },
        {
            content: "Open the preferences",
            trigger: ".o_notebook .nav-link:contains('Preferences')",
            run: "click",
        },
        {
            content: "The pillow preference is listed",
            trigger: ".o_field_widget[name=hotel_preference_ids] .o_data_row:contains('荞麦枕 buckwheat pillow')",
        },
        {
            content: "Open the figures",
            trigger: ".o_notebook .nav-link:contains('Figures')",
            run: "click",
        },
        {
            content: "Stays in the last 12 months",
            trigger: ".o_field_widget[name=stays_12m]:contains('3')",
        },
        {
            content: "Preferred channel",
            trigger: ".o_field_widget[name=preferred_channel_id]:contains('Hotel Website')",
        },
    ],
});
