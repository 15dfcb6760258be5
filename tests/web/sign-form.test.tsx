import { render, screen } from "@solidjs/testing-library";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { SignForm } from "../../src/web/components/SignForm.js";

type Draft = { name: string; message: string };

function setup(onSign: (input: Draft) => Promise<string | null> = async () => null) {
  const sent: Draft[] = [];
  const user = userEvent.setup();
  render(() => <SignForm onSign={(input) => (sent.push(input), onSign(input))} />);
  return {
    user,
    sent,
    name: screen.getByLabelText("Name") as HTMLInputElement,
    message: screen.getByLabelText("Message") as HTMLTextAreaElement,
    submit: screen.getByRole("button", { name: /Sign/ }) as HTMLButtonElement,
    alert: () => screen.getByRole("alert"),
  };
}

describe("SignForm", () => {
  it("shows how many characters are left as the visitor types", async () => {
    const { user, name, message } = setup();
    await user.type(name, "Ada");
    await user.type(message, "Hi 😀");
    expect(screen.getByText("77 characters left")).toBeTruthy();
    expect(screen.getByText("996 characters left")).toBeTruthy();
  });

  it("explains an over-long name inline while typing and marks the field invalid", async () => {
    const { user, name } = setup();
    await user.click(name);
    await user.paste("n".repeat(81));
    expect(screen.getByText("Name must be at most 80 characters (it has 81).")).toBeTruthy();
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("-1 characters left").className).toContain("over");
  });

  it("refuses an empty form with a reason in the alert and sends nothing", async () => {
    const { user, submit, alert, sent } = setup();
    await user.click(submit);
    expect(alert().textContent).toBe("Name is required.");
    expect(sent).toEqual([]);
  });

  it.each([
    ["\u200b", "Hi", "Name must contain visible characters.", "Name"],
    ["Ada", "\u202eevil", "Message must not contain text-direction controls (U+202A–U+202E, U+2066–U+2069).", "Message"],
    ["Ada", `a${"\u0301".repeat(9)}`, "Message must not stack more than 8 marks on one character.", "Message"],
  ])("applies the API's rules before sending: %j / %j", async (nameText, messageText, reason, field) => {
    const { user, name, message, submit, alert, sent } = setup();
    await user.click(name);
    await user.paste(nameText);
    await user.click(message);
    await user.paste(messageText);
    await user.click(submit);
    expect(alert().textContent).toBe(reason);
    expect(document.activeElement).toBe(screen.getByLabelText(field));
    expect(sent).toEqual([]);
  });

  it("sends a name made of an emoji sequence joined by zero-width joiners", async () => {
    const { user, name, message, submit, sent } = setup();
    await user.click(name);
    await user.paste("👩‍👩‍👧‍👦");
    await user.type(message, "Hello");
    await user.click(submit);
    expect(sent).toEqual([{ name: "👩‍👩‍👧‍👦", message: "Hello" }]);
  });

  it("sends the trimmed entry, disabling itself while it waits", async () => {
    let finish!: (result: string | null) => void;
    const { user, name, message, submit, sent } = setup(() => new Promise((resolve) => (finish = resolve)));
    await user.type(name, "  Ada ");
    await user.type(message, " Hello ");
    await user.click(submit);
    expect(sent).toEqual([{ name: "Ada", message: "Hello" }]);
    expect(submit.disabled).toBe(true);
    expect(submit.textContent).toBe("Signing…");
    expect(name.closest("fieldset")!.disabled).toBe(true);
    finish(null);
    await screen.findByText("Thank you for signing!");
    expect(submit.disabled).toBe(false);
  });

  it("clears the message but keeps the name after success", async () => {
    const { user, name, message, submit } = setup();
    await user.type(name, "Ada");
    await user.type(message, "Hello");
    await user.click(submit);
    await screen.findByText("Thank you for signing!");
    expect(name.value).toBe("Ada");
    expect(message.value).toBe("");
  });

  it("keeps the whole draft and shows the reason in the alert when sending fails", async () => {
    const { user, name, message, submit, alert } = setup(async () => "The guestbook server is having trouble.");
    await user.type(name, "Ada");
    await user.type(message, "Line one{Enter}Line two");
    await user.click(submit);
    await screen.findByText("The guestbook server is having trouble.");
    expect(alert().textContent).toBe("The guestbook server is having trouble.");
    expect(name.value).toBe("Ada");
    expect(message.value).toBe("Line one\nLine two");
  });
});
