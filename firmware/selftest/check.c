#include "check.h"

#include <stdio.h>

static const char* group;
static unsigned group_checks, group_fails, total_checks, total_fails;

void check_eq(int line, const char* what, uint64_t got, uint64_t want) {
    group_checks++;
    total_checks++;
    if (got == want) return;
    group_fails++;
    total_fails++;
    printf("  FAIL %s (line %d): got 0x%016llx, want 0x%016llx\n", what, line,
           (unsigned long long)got, (unsigned long long)want);
}

static void end_group(void) {
    if (!group) return;
    if (group_fails)
        printf("%-36s FAIL (%u of %u checks failed)\n", group, group_fails, group_checks);
    else
        printf("%-36s ok (%u checks)\n", group, group_checks);
    group = 0;
}

void check_group(const char* name) {
    end_group();
    group = name;
    group_checks = group_fails = 0;
}

int check_done(const char* test_name) {
    end_group();
    if (total_fails) {
        printf("%s: FAIL (%u of %u checks failed)\n", test_name, total_fails, total_checks);
        return 1;
    }
    printf("%s: PASS (%u checks)\n", test_name, total_checks);
    return 0;
}
