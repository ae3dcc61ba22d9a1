build-dev/common/pct.o: common/pct.c common/first.h common/pct.h
common/first.h:
common/pct.h:
