/* System call numbers shared by the demo kernel and its user library.
 * Linux/rCore numbers where such a call exists, so traces read familiarly. */
#ifndef OS_SYSNUM_H
#define OS_SYSNUM_H

#define SYS_READ      63   /* read(fd, buf, len): fd 0 is the console */
#define SYS_WRITE     64   /* write(fd, buf, len): fd 1 and 2 are the console */
#define SYS_EXIT      93   /* exit(code) */
#define SYS_SLEEP     101  /* sleep(ms) */
#define SYS_YIELD     124  /* yield() */
#define SYS_GET_TIME  169  /* get_time(): microseconds since boot */
#define SYS_GETPID    172  /* getpid() */
#define SYS_FORK      220  /* fork(): 0 in the child, child pid in the parent */
#define SYS_EXEC      221  /* exec(name, argv): replaces the caller's address space */
#define SYS_WAITPID   260  /* waitpid(pid or -1, &code): blocks until that child exits */
#define SYS_SPAWN     400  /* spawn(name, argv): new process running program `name` */
#define SYS_APPS      401  /* apps(buf, len): space-separated names of the embedded programs */

#endif
