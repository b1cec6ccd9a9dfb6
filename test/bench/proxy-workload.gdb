# The workload of the proxy benchmark: 1000 stepi and 2000 reads of 256
# bytes, timed inside GDB so GDB's start-up is not part of the figure.
# Python drives the loops so that GDB's own printing stays out of it.
set pagination off
set confirm off
break kmain
continue
delete
python
import time
inferior = gdb.selected_inferior()
address = int(gdb.parse_and_eval("(unsigned long)&tasks"))
t0 = time.time()
for _ in range(1000):
    gdb.execute("stepi", to_string=True)
for _ in range(2000):
    inferior.read_memory(address, 256)
print("workload-ms %.1f" % ((time.time() - t0) * 1000))
end
kill
