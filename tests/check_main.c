/*
 * check_main.c - the one main() of every Check test program: runs the
 * suite its test file defines (check_suite(), check_main.h) and exits
 * non-zero when a case failed, which is what `make check` reads.
 */
#include <stdlib.h>

#include "check_main.h"

int main(void)
{
	SRunner *sr = srunner_create(check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
