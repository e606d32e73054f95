/**
 * Plausible wrong solutions of lab 14. kit verify applies each to the solved tree and requires
 * `pnpm lab 14 check` to FAIL on a behavioural step: the pytest check runs `buf breaking`
 * against the frozen v1 contract (check/v1), compiles the proto afresh, compares the generated
 * code, and calls the real recommender with a v1 client.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const proto = 'proto/recommendations.proto';
const service = 'python/services/recommender/src/recommender/service.py';

export default defineMutants([
  {
    name: 'a v1 field renumbered (title moved to 8): buf FIELD_NO_DELETE (field 2 deleted)',
    file: proto,
    find: 'string title = 2;',
    replace: 'string title = 8;',
  },
  {
    name: 'a v1 field retyped (limit as int64): buf FIELD_SAME_TYPE',
    file: proto,
    find: 'int32 limit = 3;',
    replace: 'int64 limit = 3;',
  },
  {
    name: 'a v1 field removed without reserving it (reason): buf FIELD_NO_DELETE',
    file: proto,
    find: '  string reason = 4;\n',
    replace: '',
  },
  {
    name: 'a reserved number reused (tags = 7): protoc refuses it',
    file: proto,
    find: 'repeated string tags = 5;',
    replace: 'repeated string tags = 7;',
  },
  {
    name: 'the reservation dropped and its number reused (reserved 7 gone, tags = 7)',
    file: proto,
    find: '  repeated string tags = 5;\n  Difficulty difficulty = 6;\n  // 7 "level"',
    replace: '  repeated string tags = 7;\n  Difficulty difficulty = 6;\n  // 8 "level"',
  },
  {
    name: 'an RPC renamed (Recommend → GetRecommendations): buf RPC_NO_DELETE',
    file: proto,
    find: 'rpc Recommend(RecommendRequest)',
    replace: 'rpc GetRecommendations(RecommendRequest)',
  },
  {
    name: 'an enum value renumbered (FEEDBACK_KIND_COMPLETED = 4): buf ENUM_VALUE_NO_DELETE',
    file: proto,
    find: 'FEEDBACK_KIND_COMPLETED = 3;',
    replace: 'FEEDBACK_KIND_COMPLETED = 4;',
  },
  {
    name: 'the package bumped in place to v2 (every v1 client gets UNIMPLEMENTED): buf FILE_SAME_PACKAGE',
    file: proto,
    find: 'package languagetracks.recommendations.v1;',
    replace: 'package languagetracks.recommendations.v2;',
  },
  {
    name: 'max_difficulty without `optional` (no presence: unset reads as UNSPECIFIED)',
    file: proto,
    find: 'optional Difficulty max_difficulty = 5;',
    replace: 'Difficulty max_difficulty = 5;',
  },
  {
    name: 'a new enum value numbered after an existing one moved (ADVANCED = 4)',
    file: proto,
    find: 'DIFFICULTY_ADVANCED = 3;',
    replace: 'DIFFICULTY_ADVANCED = 4;',
  },
  {
    name: 'absent max_difficulty not told apart from UNSPECIFIED: every v1 client is refused at run time',
    file: service,
    find: '    if not request.HasField("max_difficulty"):\n        return None\n',
    replace: '',
  },
  {
    name: 'max_difficulty ignored when set (the cap is read but not applied)',
    file: service,
    find: '    return level\n',
    replace: '    return None\n',
  },
]);
