/*
 * check_main.h - what a Check test file gives the shared runner.
 *
 * Every tests/check_*.c defines check_suite(): its suite, with its test
 * cases registered.  tests/check_main.c owns the one main() that runs it.
 */
#ifndef STA_CHECK_MAIN_H
#define STA_CHECK_MAIN_H

#include <check.h>

/* The suite of this test program, its cases added. */
Suite *check_suite(void);

#endif
