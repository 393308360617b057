// Parse a GIFT file with gift-pegjs (a parser neither we nor an LMS wrote) and print
// the questions as JSON: the tests compare them with key.json.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parse } = require("gift-pegjs");
const questions = parse(readFileSync(process.argv[2], "utf8"));
process.stdout.write(JSON.stringify(questions));
