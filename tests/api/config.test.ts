import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactUri } from "../../src/api/config.js";
import { tempDir } from "../helpers/app.js";

describe("loadConfig", () => {
  it("has working defaults: port 8080, all interfaces, embedded store in ./data", async () => {
    const config = await loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: "0.0.0.0", mongodb: undefined, logLevel: "info" });
    expect(config.dataDir).toBe(`${process.cwd()}/data`);
  });

  it("selects MongoDB when MONGODB_URI is set", async () => {
    const config = await loadConfig({ MONGODB_URI: "mongodb+srv://u:p@cluster0.example.net/", MONGODB_DB: "gb_dev" });
    expect(config.mongodb).toEqual({ uri: "mongodb+srv://u:p@cluster0.example.net/", dbName: "gb_dev", timeoutMs: 9000 });
  });

  it("limits signing to 30 a minute and trusts no proxy unless told", async () => {
    expect(await loadConfig({})).toMatchObject({ rateLimitPerMinute: 30, trustedProxies: 0, requestTimeoutMs: 10_000 });
    expect(await loadConfig({ TRUST_PROXY: "true", RATE_LIMIT_PER_MINUTE: "0" })).toMatchObject({ trustedProxies: 1, rateLimitPerMinute: 0 });
    expect((await loadConfig({ TRUST_PROXY: "2" })).trustedProxies).toBe(2);
  });

  it("keeps the newest page in memory for a second unless CACHE_TTL_MS says otherwise; 0 turns it off", async () => {
    expect((await loadConfig({})).cacheTtlMs).toBe(1000);
    expect((await loadConfig({ CACHE_TTL_MS: "0" })).cacheTtlMs).toBe(0);
    expect((await loadConfig({ CACHE_TTL_MS: "250" })).cacheTtlMs).toBe(250);
  });

  it("redacts the password of a connection string for logs, with the driver's parser", async () => {
    expect(await redactUri("mongodb+srv://app:s3cr%40t@cluster0.example.net/gb?retryWrites=true")).toBe(
      "mongodb+srv://app:***@cluster0.example.net/gb?retryWrites=true",
    );
    // A password with an escaped @ and / (as the config requires): nothing of it shows.
    const escaped = await redactUri("mongodb://app:p%40ss%2Fw0rd@cluster0.example.net/gb");
    expect(escaped).toBe("mongodb://app:***@cluster0.example.net/gb");
    expect(escaped).not.toMatch(/ss|w0rd/);
    // Other secrets the driver knows of, in the query string.
    expect(await redactUri("mongodb://app:pw@h/?tls=true&tlsCertificateKeyFilePassword=k3y")).toBe(
      "mongodb://app:***@h/?tls=true&tlsCertificateKeyFilePassword=***",
    );
    expect(await redactUri("mongodb://localhost:27017")).toBe("mongodb://localhost:27017/");
    expect(await redactUri("not a uri :s3cret@")).not.toContain("s3cret");
  });

  it("treats an empty MONGODB_URI as unset", async () => {
    expect((await loadConfig({ MONGODB_URI: "" })).mongodb).toBeUndefined();
  });

  it.each([
    ["PORT", "abc", /^Invalid configuration: PORT must be a whole number from 1 to 65535 \(got "abc"\)$/],
    ["PORT", "70000", /^Invalid configuration: PORT must be from 1 to 65535 \(got "70000"\)$/],
    ["HOST", " ", /^Invalid configuration: HOST must not be empty/],
    ["MONGODB_DB", "a/b", /^Invalid configuration: MONGODB_DB must be 1-63 letters/],
    ["LOG_LEVEL", "loud", /^Invalid configuration: LOG_LEVEL must be one of fatal, error/],
    ["SHUTDOWN_DELAY_MS", "-5", /^Invalid configuration: SHUTDOWN_DELAY_MS must be a whole number/],
    ["RATE_LIMIT_PER_MINUTE", "lots", /^Invalid configuration: RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 100000/],
    ["CACHE_TTL_MS", "1s", /^Invalid configuration: CACHE_TTL_MS must be a whole number from 0 to 60000 \(got "1s"\)$/],
    ["CACHE_TTL_MS", "600000", /^Invalid configuration: CACHE_TTL_MS must be from 0 to 60000 \(got "600000"\)$/],
    ["TRUST_PROXY", "yes", /^Invalid configuration: TRUST_PROXY must be a whole number from 0 to 10, true or false \(got "yes"\)$/],
    ["REQUEST_TIMEOUT_MS", "5", /^Invalid configuration: REQUEST_TIMEOUT_MS must be from 100 to 120000/],
  ])("stops with one line naming %s=%s", async (variable, value, expected) => {
    await expect(loadConfig({ [variable]: value })).rejects.toThrow(ConfigError);
    await expect(loadConfig({ [variable]: value })).rejects.toThrow(expected);
  });

  it.each([
    ["another scheme", "http://user:s3cret@host", /^Invalid configuration: MONGODB_URI is not a connection string the MongoDB driver accepts: Invalid scheme/],
    ["an SRV URI with a port", "mongodb+srv://app:s3cret@cluster0.example.net:27017/", /^Invalid configuration: MONGODB_URI is not a connection string the MongoDB driver accepts: mongodb\+srv URI cannot have port number$/],
    ["an option the driver does not know", "mongodb://app:s3cret@host/?retryWritez=true", /: option retrywritez is not supported$/],
    ["an invalid option value", "mongodb://app:s3cret@host/?tls=maybe", /: tls\/ssl must be either "true" or "false"$/],
    // The driver accepts this one as host "ss" and database "w0rd@cluster0.example.net/".
    ["a password with an unescaped @ and /", "mongodb://app:p@ss/w0rd@cluster0.example.net/", /MONGODB_URI names a database MongoDB cannot have .*percent-encode @/],
    // The driver's own reason would quote "w0rd@cluster0...": it is left out.
    ["a password with an unescaped @ and ?", "mongodb://app:p@ss?w0rd@cluster0.example.net/", /^Invalid configuration: MONGODB_URI is not a connection string the MongoDB driver accepts; percent-encode/],
    ["a user name with an unescaped @", "mongodb://app@corp:s3cret@cluster0.example.net/", /^Invalid configuration: MONGODB_URI is not a connection string the MongoDB driver accepts/],
    // Read as password "p" and host "ssw0rd:99999": the driver's reason would quote that "host".
    ["a password with an unescaped @ and no other", "mongodb://app:p@ssw0rd:99999/", /^Invalid configuration: MONGODB_URI is not a connection string the MongoDB driver accepts; percent-encode .*, and check the host list$/],
  ])("refuses %s in one line naming MONGODB_URI, never echoing it", async (_case, uri, expected) => {
    let message = "";
    try {
      await loadConfig({ MONGODB_URI: uri });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
    for (const secret of ["s3cret", "w0rd", "ss/"]) expect(message).not.toContain(secret);
  });

  it("accepts what the driver accepts, escaped passwords included", async () => {
    for (const uri of [
      "mongodb+srv://app:p%40ss%2Fw0rd@cluster0.example.net/?retryWrites=true&w=majority&appName=Cluster0",
      "mongodb://a:b@h1:27017,h2:27017,h3:27017/gb?replicaSet=rs0&authSource=admin&tls=true",
      "mongodb://localhost:27017/?directConnection=true",
    ]) {
      expect((await loadConfig({ MONGODB_URI: uri })).mongodb?.uri).toBe(uri);
    }
  });

  it("bounds MongoDB calls by 90% of REQUEST_TIMEOUT_MS unless told, and never by more than it", async () => {
    const uri = "mongodb://localhost:27017";
    expect((await loadConfig({ MONGODB_URI: uri })).mongodb?.timeoutMs).toBe(9000);
    expect((await loadConfig({ MONGODB_URI: uri, REQUEST_TIMEOUT_MS: "2000" })).mongodb?.timeoutMs).toBe(1800);
    expect((await loadConfig({ MONGODB_URI: uri, MONGODB_TIMEOUT_MS: "500" })).mongodb?.timeoutMs).toBe(500);
    await expect(loadConfig({ MONGODB_URI: uri, MONGODB_TIMEOUT_MS: "10000" })).rejects.toThrow(
      /^Invalid configuration: MONGODB_TIMEOUT_MS must be below REQUEST_TIMEOUT_MS \(10000\), so that no MongoDB call outlives its request \(got "10000"\)$/,
    );
  });
});

describe("MONGODB_URI_FILE", () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => dir.remove()));
  const file = (content: string) => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir.path, "uri");
    writeFileSync(path, content);
    return path;
  };
  const refusal = async (env: Record<string, string>) => {
    try {
      await loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("loadConfig accepted it");
  };

  it("reads the connection string from the file, without its trailing newline, and remembers the file", async () => {
    const path = file("mongodb+srv://app:s3cret@cluster0.example.net/\n");
    expect((await loadConfig({ MONGODB_URI_FILE: path })).mongodb).toEqual({
      uri: "mongodb+srv://app:s3cret@cluster0.example.net/",
      uriFile: path,
      dbName: "guestbook",
      timeoutMs: 9000,
    });
  });

  it("refuses MONGODB_URI and MONGODB_URI_FILE together", async () => {
    const path = file("mongodb://localhost:27017");
    expect(await refusal({ MONGODB_URI: "mongodb://localhost:27017", MONGODB_URI_FILE: path })).toBe(
      "Invalid configuration: set MONGODB_URI or MONGODB_URI_FILE, not both",
    );
  });

  it("stops with one line naming the file when it is missing or empty", async () => {
    expect(await refusal({ MONGODB_URI_FILE: "/nonexistent/uri" })).toBe("Invalid configuration: MONGODB_URI_FILE (/nonexistent/uri) cannot be read (ENOENT)");
    const empty = file(" \n");
    expect(await refusal({ MONGODB_URI_FILE: empty })).toBe(`Invalid configuration: MONGODB_URI_FILE (${empty}) is empty`);
  });

  it("refuses what the driver refuses, in one line naming the file and never its content", async () => {
    const path = file("mongodb://app:p@ss/w0rd@cluster0.example.net/");
    const message = await refusal({ MONGODB_URI_FILE: path });
    expect(message).toMatch(new RegExp(`^Invalid configuration: MONGODB_URI_FILE \\(${path}\\) names a database MongoDB cannot have .*percent-encode @`));
    expect(message).not.toContain("\n");
    expect(message).not.toMatch(/w0rd|ss\//);
  });
});
