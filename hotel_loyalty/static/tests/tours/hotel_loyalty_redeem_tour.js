import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("hotel_loyalty_redeem_tour", {
    steps: () => [
        {
            content: "The guest header shows the Gold tier",
            trigger: ".o_hotel_guest_header .o_hotel_loyalty_tier_badge:contains('Gold')",
        },
        {
            content: "Open the membership from the points button",
            trigger: ".oe_stat_button[name=action_hotel_loyalty_open_member]:contains('1,000')",
            run: "click",
        },
        {
            content: "The Gold benefits are listed",
            trigger: ".o_hotel_loyalty_benefits .o_tag:contains('Free Wi-Fi')",
        },
        {
            content: "The balance is shown",
            trigger: ".o_hotel_loyalty_available:contains('1,000')",
        },
        {
            content: "Redeem points",
            trigger: "button[name=action_redeem]",
            run: "click",
        },
        {
            content: "Choose the breakfast",
            trigger: ".modal .o_field_widget[name=reward_id] input",
            run: "edit Breakfast",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Breakfast for Two')",
            run: "click",
        },
        {
            content: "300 points will be redeemed",
            trigger: ".modal .o_field_widget[name=points]:contains('300')",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name=action_redeem]",
            run: "click",
        },
        {
            content: "The balance drops to 700",
            trigger: ".o_hotel_loyalty_available:contains('700')",
        },
    ],
});
