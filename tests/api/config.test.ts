import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactUri } from "../../src/api/config.js";

describe("loadConfig", () => {
  it("has working defaults: port 8080, all interfaces, embedded store in ./data", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: "0.0.0.0", mongodb: undefined, logLevel: "info" });
    expect(config.dataDir).toBe(`${process.cwd()}/data`);
  });

  it("selects MongoDB when MONGODB_URI is set", () => {
    const config = loadConfig({ MONGODB_URI: "mongodb+srv://u:p@cluster0.example.net/", MONGODB_DB: "gb_dev" });
    expect(config.mongodb).toEqual({ uri: "mongodb+srv://u:p@cluster0.example.net/", dbName: "gb_dev", timeoutMs: 2000 });
  });

  it("limits signing to 30 a minute and trusts no proxy unless told", () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerMinute: 30, trustedProxies: 0, requestTimeoutMs: 10_000 });
    expect(loadConfig({ TRUST_PROXY: "true", RATE_LIMIT_PER_MINUTE: "0" })).toMatchObject({ trustedProxies: 1, rateLimitPerMinute: 0 });
    expect(loadConfig({ TRUST_PROXY: "2" }).trustedProxies).toBe(2);
  });

  it("redacts the password of a connection string for logs", () => {
    expect(redactUri("mongodb+srv://app:s3cr%40t@cluster0.example.net/gb?retryWrites=true")).toBe(
      "mongodb+srv://app:***@cluster0.example.net/gb?retryWrites=true",
    );
    expect(redactUri("mongodb://localhost:27017")).toBe("mongodb://localhost:27017");
  });

  it("treats an empty MONGODB_URI as unset", () => {
    expect(loadConfig({ MONGODB_URI: "" }).mongodb).toBeUndefined();
  });

  it.each([
    ["PORT", "abc", /^Invalid configuration: PORT must be a whole number from 1 to 65535 \(got "abc"\)$/],
    ["PORT", "70000", /^Invalid configuration: PORT must be from 1 to 65535 \(got "70000"\)$/],
    ["HOST", " ", /^Invalid configuration: HOST must not be empty/],
    ["MONGODB_DB", "a/b", /^Invalid configuration: MONGODB_DB must be 1-63 letters/],
    ["LOG_LEVEL", "loud", /^Invalid configuration: LOG_LEVEL must be one of fatal, error/],
    ["SHUTDOWN_DELAY_MS", "-5", /^Invalid configuration: SHUTDOWN_DELAY_MS must be a whole number/],
    ["RATE_LIMIT_PER_MINUTE", "lots", /^Invalid configuration: RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 100000/],
    ["TRUST_PROXY", "yes", /^Invalid configuration: TRUST_PROXY must be a whole number from 0 to 10, true or false \(got "yes"\)$/],
    ["REQUEST_TIMEOUT_MS", "5", /^Invalid configuration: REQUEST_TIMEOUT_MS must be from 100 to 120000/],
  ])("stops with one line naming %s=%s", (variable, value, expected) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(expected);
  });

  it("names a bad MONGODB_URI without echoing its value, which may hold a password", () => {
    const attempt = () => loadConfig({ MONGODB_URI: "http://user:s3cret@host" });
    expect(attempt).toThrow(/^Invalid configuration: MONGODB_URI must start with mongodb:\/\/ or mongodb\+srv:\/\/$/);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain("s3cret");
    }
  });
});
