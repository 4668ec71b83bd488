/*
 * threads-spin: one thread spins forever and never yields; another counts to
 * a number, prints, and ends the program with exit(3).  Only preemption by
 * the timer tick lets the second thread run at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ilwaco/thread.h>

static volatile unsigned long spins;

static void *spinner(void *arg)
{
    for (;;)
        spins++;
    return 0;
}

static void *worker(void *arg)
{
    volatile unsigned long sum = 0;
    for (unsigned long i = 1; i <= 200000; i++)
        sum += i;
    printf("worker done: sum %lu, spinner ran: %s\n", (unsigned long)sum, spins > 0 ? "yes" : "no");
    exit(3);
}

int main(void)
{
    thread_create(0, spinner, 0);
    thread_create(0, worker, 0);
    thread_exit(0);         /* main ends; the program goes on */
}
