import { describe, expect, it } from "vitest";
import type { MessageTemplateKey } from "../domain/policy-definition.ts";
import { validatePolicyDefinition } from "../policy/validate-policy.ts";
import { wootrecruitPolicy } from "../policy/wootrecruit.ts";
import {
  codeEntryVars,
  DEFAULT_TEMPLATES,
  fill,
  formLinkTemplate,
  renderTemplate,
  templateFor,
  templatePlaceholderProblems,
  toHtml,
} from "./message-templates.ts";
import { MESSAGE_RETRIES, nextAttemptAt } from "./outbox-worker.ts";

describe("message templates", () => {
  it("fill placeholders, leaving unknown ones empty", () => {
    expect(fill("Hello {{name}}, {{ missing }}!", { name: "Pat" })).toBe("Hello Pat, !");
  });

  it("escape what they put into HTML and turn a link on its own line into a button", () => {
    const html = toHtml('Hi <b>"Pat"</b>\n\nhttps://x.test/c/abc', { company: "Woot & Co" });
    expect(html).toContain("Hi &lt;b&gt;&quot;Pat&quot;&lt;/b&gt;");
    expect(html).toContain('href="https://x.test/c/abc"');
    expect(html).toContain("Woot &amp; Co");
  });

  it("every default renders without leftover braces", () => {
    for (const template of Object.values(DEFAULT_TEMPLATES)) {
      const out = renderTemplate(template, { company: "WootRecruit" });
      expect(out.text).not.toContain("{{");
      expect(out.sms).not.toContain("{{");
    }
  });

  it("the identity code points a staff-opened case to the code entry page with its reference", () => {
    const vars = {
      company: "WootRecruit",
      code: "123456",
      minutes: "15",
      ...codeEntryVars(
        {
          kind: "case",
          reference: "CD-2026-00042",
          verifyUrl: "https://cancel.example.com/verify?ref=CD-2026-00042",
        },
        "WootRecruit",
      ),
    };
    const out = renderTemplate(DEFAULT_TEMPLATES.identity_code, {
      ...vars,
      actionLabel: "Enter the code",
    });
    expect(out.text).toContain("enter your case reference CD-2026-00042 and this code here");
    expect(out.html).toContain('href="https://cancel.example.com/verify?ref=CD-2026-00042"');
    expect(out.sms).toContain(
      "ref CD-2026-00042 at https://cancel.example.com/verify?ref=CD-2026-00042",
    );
    const selfService = renderTemplate(DEFAULT_TEMPLATES.identity_code, {
      company: "WootRecruit",
      ...codeEntryVars(
        { kind: "self_service", startUrl: "https://cancel.example.com/cancel?code" },
        "WootRecruit",
      ),
    });
    expect(selfService.text).toContain("on the page where you asked for it, or here");
    expect(selfService.text).toContain("https://cancel.example.com/cancel?code");
    expect(selfService.text).not.toContain("/verify");
  });

  it("a policy version overrides the wording it names and keeps the rest", () => {
    const policy = {
      ...wootrecruitPolicy,
      templates: { form_link: { subject: "Form {{reference}}" } },
    };
    expect(
      validatePolicyDefinition(policy, { planCodes: ["starter", "growth", "scale", "enterprise"] })
        .ok,
    ).toBe(true);
    const template = templateFor("form_link", policy);
    expect(renderTemplate(template, { reference: "CD-1" }).subject).toBe("Form CD-1");
    expect(template.text).toBe(DEFAULT_TEMPLATES.form_link.text);
  });

  it("a policy version may word the self-service start's form email, and must keep its link", () => {
    const planCodes = ["starter", "growth", "scale", "enterprise"];
    const worded = {
      ...wootrecruitPolicy,
      templates: { self_service_form_link: { text: "Your form, {{name}}: {{url}}" } },
    };
    expect(validatePolicyDefinition(worded, { planCodes }).ok).toBe(true);
    expect(templateFor("self_service_form_link", worded).text).toBe("Your form, {{name}}: {{url}}");
    const linkless = {
      ...wootrecruitPolicy,
      templates: { self_service_form_link: { text: "Your form is on its way." } },
    };
    expect(validatePolicyDefinition(linkless, { planCodes }).ok).toBe(false);
  });

  it("the default wordings meet the rules a policy's own wordings are held to", () => {
    for (const [key, template] of Object.entries(DEFAULT_TEMPLATES)) {
      expect(templatePlaceholderProblems(key as MessageTemplateKey, template), key).toEqual([]);
    }
  });

  it("a template override with an unknown part is refused by the policy validation", () => {
    const policy = { ...wootrecruitPolicy, templates: { form_link: { body: "x" } } };
    const result = validatePolicyDefinition(policy, {
      planCodes: ["starter", "growth", "scale", "enterprise"],
    });
    expect(result.ok).toBe(false);
  });
});

describe("retry backoff", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("doubles with jitter between half and all of the step, and stops after the last attempt", () => {
    const delay = (attempts: number, r: number) =>
      nextAttemptAt(MESSAGE_RETRIES, attempts, now, () => r)!.getTime() - now.getTime();
    expect(delay(1, 0)).toBe(15_000);
    expect(delay(1, 1)).toBe(30_000);
    expect(delay(2, 1)).toBe(60_000);
    expect(delay(7, 1)).toBe(30_000 * 2 ** 6);
    expect(
      nextAttemptAt({ ...MESSAGE_RETRIES, maxAttempts: 50 }, 40, now, () => 1)!.getTime() -
        now.getTime(),
    ).toBe(MESSAGE_RETRIES.maxDelayMs);
    expect(nextAttemptAt(MESSAGE_RETRIES, MESSAGE_RETRIES.maxAttempts, now)).toBeNull();
  });

  it("sends a self-service form link in an admin's own form-link wording rather than the default", () => {
    expect(formLinkTemplate(wootrecruitPolicy, true)).toBe("self_service_form_link");
    expect(formLinkTemplate(wootrecruitPolicy, false)).toBe("form_link");
    const ownForm = {
      ...wootrecruitPolicy,
      templates: { form_link: { text: "Votre formulaire : {{url}}" } },
    };
    expect(formLinkTemplate(ownForm, true)).toBe("form_link");
    const both = {
      ...wootrecruitPolicy,
      templates: { ...ownForm.templates, self_service_form_link: { text: "Le vôtre : {{url}}" } },
    };
    expect(formLinkTemplate(both, true)).toBe("self_service_form_link");
  });
});
