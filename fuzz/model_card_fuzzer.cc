// Model cards (JSON): an input error, or a card that writes and reads back
// the same.
#include "fuzz/fuzz_file.h"
#include "learn/model_card.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("card.json", data, size);
  ModelCard card, back;
  if (!ReadModelCard(path, &card).ok()) return 0;
  const std::string again = WriteFuzzFile("card_again.json", nullptr, 0);
  FuzzCheck(WriteModelCard(card, again).ok());
  FuzzCheck(ReadModelCard(again, &back).ok());
  FuzzCheck(back.Name() == card.Name() && back.sha256 == card.sha256 &&
            back.test_correct == card.test_correct &&
            back.pruning.convs.size() == card.pruning.convs.size());
  return 0;
}
