// orgstack: BitGo and FinHub organizations as code. Import the vendor you need:
//   import * as bitgo from "orgstack/bitgo";
import * as bitgo from "./bitgo";
export { bitgo };
export * as finhub from "./finhub";
