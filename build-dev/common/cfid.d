build-dev/common/cfid.o: common/cfid.c common/first.h common/cfid.h
common/first.h:
common/cfid.h:
