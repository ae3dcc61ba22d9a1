build-dev/common/words.o: common/words.c common/first.h common/words.h
common/first.h:
common/words.h:
