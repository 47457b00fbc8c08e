/* Protocol C API: the 64-byte task work item and its transitions (SPEC §1.7). A failed
 * transition leaves the task unchanged. */
#include "protocol_test.h"

#define CHECK_TASK_FAILS(expected, task, call) CHECK_FAILS_UNCHANGED(expected, &(task), sizeof(task), call)

static void test_init(void) {
    vyre_task t;
    memset(&t, 0xFF, sizeof t);
    CHECK_STATUS(VYRE_OK, vyre_task_init(&t, 42, 9, 3, VYRE_PRIORITY_HIGH, 1, 2, 3, ERR));
    CHECK(t.state == VYRE_TASK_READY && t.task_id == 42 && t.op_handle == 9 && t.tenant == 3);
    CHECK(t.priority == VYRE_PRIORITY_HIGH && t.input == 1 && t.output == 2 && t.param == 3);
    CHECK(t.flags == 0 && t.yield_count == 0 && t.continuation_pc == 0 && t.parent_task_id == 0);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_init(NULL, 1, 9, 0, 2, 0, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_OUT_OF_RANGE, t, vyre_task_init(&t, 1, 9, 928, 2, 0, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_init(&t, 1, 9, 0, 5, 0, 0, 0, ERR));
}

static void test_transitions(void) {
    vyre_task t;
    uint32_t sched = 9;
    CHECK_STATUS(VYRE_OK, vyre_task_init(&t, 42, 9, 3, VYRE_PRIORITY_NORMAL, 1, 2, 3, ERR));
    CHECK_STATUS(VYRE_OK, vyre_task_is_schedulable(&t, &sched, ERR));
    CHECK(sched == 1);
    /* resume needs PAUSED. */
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_resume(&t, ERR));
    CHECK_STATUS(VYRE_OK, vyre_task_pause(&t, 10, 11, 12, ERR));
    CHECK(t.state == VYRE_TASK_PAUSED && t.state == VYRE_STATE_WAIT_IO);
    CHECK(t.continuation_pc == 10 && t.continuation_data == 11 && t.resume_epoch == 12 && t.flags == VYRE_TASK_FLAG_PAUSED);
    CHECK_STATUS(VYRE_OK, vyre_task_is_schedulable(&t, &sched, ERR));
    CHECK(sched == 0);
    CHECK_STATUS(VYRE_OK, vyre_task_resume(&t, ERR));
    CHECK(t.state == VYRE_TASK_READY && t.flags == VYRE_TASK_FLAG_RESUME_READY && t.continuation_pc == 10);
    CHECK_STATUS(VYRE_OK, vyre_task_yield(&t, 20, 21, ERR));
    CHECK(t.state == VYRE_TASK_YIELDED && t.yield_count == 1 && t.flags == VYRE_TASK_FLAG_YIELDED);
    CHECK(t.continuation_pc == 20 && t.continuation_data == 21);
    CHECK_STATUS(VYRE_OK, vyre_task_is_schedulable(&t, &sched, ERR));
    CHECK(sched == 1);
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_requeue(&t, 30, 31, 5, ERR));
    CHECK_STATUS(VYRE_OK, vyre_task_requeue(&t, 30, 31, VYRE_PRIORITY_LOW, ERR));
    CHECK(t.state == VYRE_TASK_REQUEUED && t.requeue_count == 1 && t.age_ticks == 1);
    CHECK(t.priority == VYRE_PRIORITY_LOW && t.flags == VYRE_TASK_FLAG_REQUEUE_REQUESTED);
    vyre_task before_end = t;
    CHECK_STATUS(VYRE_OK, vyre_task_complete(&t, ERR));
    CHECK(t.state == VYRE_TASK_COMPLETED && t.flags == 0);
    CHECK_STATUS(VYRE_OK, vyre_task_is_schedulable(&t, &sched, ERR));
    CHECK(sched == 0);
    /* A finished task takes no transitions. */
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_yield(&t, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_pause(&t, 0, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_complete(&t, ERR));
    t = before_end;
    CHECK_STATUS(VYRE_OK, vyre_task_fault(&t, VYRE_FAULT_BAD_ARGUMENT, ERR));
    CHECK(t.state == VYRE_TASK_FAULTED && t.continuation_data == VYRE_FAULT_BAD_ARGUMENT);
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_fault(&t, 1, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_requeue(&t, 0, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_INVALID_ARGUMENT, t, vyre_task_resume(&t, ERR));
}

static void test_overflow_and_bad_state(void) {
    vyre_task t;
    CHECK_STATUS(VYRE_OK, vyre_task_init(&t, 1, 9, 0, VYRE_PRIORITY_NORMAL, 0, 0, 0, ERR));
    /* Counter overflow is an error, never a wrap. */
    t.yield_count = 0xFFFFFFFFu;
    CHECK_TASK_FAILS(VYRE_ERROR_OVERFLOW, t, vyre_task_yield(&t, 1, 1, ERR));
    t.yield_count = 0;
    t.requeue_count = 0xFFFFFFFFu;
    CHECK_TASK_FAILS(VYRE_ERROR_OVERFLOW, t, vyre_task_requeue(&t, 1, 1, 0, ERR));
    t.requeue_count = 0;
    t.age_ticks = 0xFFFFFFFFu;
    CHECK_TASK_FAILS(VYRE_ERROR_OVERFLOW, t, vyre_task_requeue(&t, 1, 1, 0, ERR));
    /* Unknown state word: malformed. */
    t.state = 8;
    uint32_t sched = 9;
    CHECK_TASK_FAILS(VYRE_ERROR_MALFORMED_BUFFER, t, vyre_task_pause(&t, 0, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_MALFORMED_BUFFER, t, vyre_task_resume(&t, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_MALFORMED_BUFFER, t, vyre_task_yield(&t, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_MALFORMED_BUFFER, t, vyre_task_requeue(&t, 0, 0, 0, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_MALFORMED_BUFFER, t, vyre_task_complete(&t, ERR));
    CHECK_TASK_FAILS(VYRE_ERROR_MALFORMED_BUFFER, t, vyre_task_fault(&t, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_task_is_schedulable(&t, &sched, ERR));
    CHECK(sched == 9);
    /* NULL everywhere. */
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_pause(NULL, 0, 0, 0, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_resume(NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_yield(NULL, 0, 0, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_requeue(NULL, 0, 0, 0, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_complete(NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_fault(NULL, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_is_schedulable(NULL, &sched, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_task_is_schedulable(&t, NULL, ERR));
    /* The error object carries a message. */
    vyre_error *err = NULL;
    CHECK(vyre_task_resume(&t, &err) == VYRE_ERROR_MALFORMED_BUFFER);
    CHECK(err != NULL && strstr(vyre_error_message(err), "state") != NULL);
    vyre_error_free(err);
}

int main(void) {
    test_init();
    test_transitions();
    test_overflow_and_bad_state();
    TEST_MAIN_END();
}
