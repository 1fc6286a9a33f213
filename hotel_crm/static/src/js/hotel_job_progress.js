import { registry } from "@web/core/registry";
import { ProgressBarField, progressBarField } from "@web/views/fields/progress_bar/progress_bar_field";
import { onMounted, onWillUnmount } from "@odoo/owl";

const REFRESH_MS = 2000;

/**
 * The progress bar of a background job: while the job is queued or running, the form reads
 * the job again every two seconds, so that the bar, the stage and the counts move.
 */
export class HotelJobProgressField extends ProgressBarField {
    setup() {
        super.setup();
        onMounted(() => {
            this.timer = setInterval(() => this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    async refresh() {
        const record = this.props.record;
        if (!["queued", "running"].includes(record.data.state) || record.dirty) {
            return;
        }
        await record.load();
    }
}

registry.category("fields").add("hotel_job_progress", {
    ...progressBarField,
    component: HotelJobProgressField,
});
