build-dev/common/why.o: common/why.c common/first.h common/why.h
common/first.h:
common/why.h:
