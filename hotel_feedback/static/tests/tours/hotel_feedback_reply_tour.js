import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("hotel_feedback_reply_tour", {
    steps: () => [
        {
            content: "Open the ticket from the kanban",
            trigger: ".o_kanban_record:contains('Tour: the shower is leaking')",
            run: "click",
        },
        {
            content: "The reply clock is running",
            trigger: ".o_hotel_reply_sla:contains('On Track')",
        },
        {
            content: "Write to the guest",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit We are very sorry. An engineer will fix the shower within the hour.",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The message is in the chatter",
            trigger: ".o-mail-Message:contains('An engineer will fix the shower')",
        },
        {
            content: "Reload the ticket",
            trigger: ".o_breadcrumb .o_back_button, .breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('Tour: the shower is leaking')",
            run: "click",
        },
        {
            content: "The reply SLA is met",
            trigger: ".o_hotel_reply_sla:contains('Met')",
        },
    ],
});
