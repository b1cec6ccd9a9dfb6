/* crash: stores through a null pointer. The kernel must kill only this
 * process and report why; init then reports a failure. */
#include "ulib.h"

__attribute__((noinline)) void work(volatile int *where)
{
    *where = 42;
}

int main(void)
{
    printf("crash: writing to address 0\n");
    work((volatile int *)0);
    printf("crash: still alive, which is wrong\n");
    return 0;
}
