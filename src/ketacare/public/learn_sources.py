"""The publications the learn pages rest on, written out as citations.

Keys are those of the clinical reference's source list, so a page's facts can be traced to the
same place as the rules in `ketacare.clinical`. Addresses are shown as links; nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    citation: str
    url: str = ""


SOURCES: dict[str, Source] = {
    "ESK-PI-CUR": Source(
        "SPRAVATO (esketamine) nasal spray, US Prescribing Information, current label "
        "(FDA structured product label set d81a6a79-a74a-44b7-822c-0dfa3036eaed).",
        "https://nctr-crs.fda.gov/fdalabel/services/spl/set-ids/"
        "d81a6a79-a74a-44b7-822c-0dfa3036eaed/spl-doc",
    ),
    "ESK-PI-2019": Source(
        "SPRAVATO (esketamine) nasal spray, US Prescribing Information, March 2019 "
        "(warnings on blood pressure; patient counseling on driving)."
    ),
    "USMED-2021": Source(
        "SPRAVATO brief summary of prescribing information. US Medicine, 2021.",
        "https://www.usmedicine.com/2021online-dir/inc/html/33.html",
    ),
    "MONO-2025": Source(
        "US FDA approval of SPRAVATO as a stand-alone treatment for treatment-resistant "
        "depression, 21 January 2025 (Johnson & Johnson announcement).",
        "https://www.iamaimed.com/neuroscience-posts/spravato-esketamine---fda-approval-for-trd-monotherapy",
    ),
    "REMS-FDA": Source(
        "US Food and Drug Administration. SPRAVATO (esketamine) Risk Evaluation and "
        "Mitigation Strategy (REMS) summary.",
        "https://www.accessdata.fda.gov/scripts/cder/rems/index.cfm"
        "?event=IndvRemsDetails.page&REMS=386",
    ),
    "REMS-SITE": Source(
        "SPRAVATO REMS: information for outpatient healthcare settings.",
        "https://www.spravatorems.com/outpatient-hcs.html",
    ),
    "SPRAVATO-PREP": Source(
        "Janssen. Treatment with SPRAVATO: what to expect.",
        "https://www.spravato.com/treatment-with-SPRAVATO",
    ),
    "SPRAVATO-HCP-DOSING": Source(
        "Janssen. SPRAVATO dosing and monitoring for healthcare professionals.",
        "https://www.spravatohcp.com/dosing-spravato-trd",
    ),
    "SPRAVATO-SAFETY": Source(
        "Janssen. SPRAVATO safety and tolerability.",
        "https://www.spravato.com/safety-and-tolerability",
    ),
    "SPRAVATO-TRD-PAGE": Source(
        "Janssen. SPRAVATO for treatment-resistant depression.",
        "http://www.spravato.com/trd",
    ),
    "ONA-ESK": Source(
        "Oncology Nurse Advisor. SPRAVATO prescribing summary.",
        "https://www.oncologynurseadvisor.com/drug/spravato/",
    ),
    "JNJ-SED": Source(
        "Johnson & Johnson Medical Information. Adverse event of SPRAVATO: sedation and "
        "somnolence.",
        "https://jnjmedicalconnect.com/products/spravato/medical-content/"
        "adverse-event-of-spravato-sedation-and-somnolence",
    ),
    "JNJ-CV": Source(
        "Johnson & Johnson Medical Information. Use of SPRAVATO in patients with "
        "cardiovascular or cerebrovascular conditions.",
        "https://jnjmedicalconnect.com/products/spravato/medical-content/"
        "use-of-spravato-in-patients-with-cardiovascular-or-cerebrovascular-conditions",
    ),
    "SPS-NHS": Source(
        "NHS Specialist Pharmacy Service. Safety labelling for esketamine (Spravato) updated "
        "in the US to include risk of respiratory depression and arrest.",
        "https://www.medicinesresources.nhs.uk/safety-labelling-for-esketamine-spravato-updated-"
        "in-the-us-to-include-risk-of-respiratory-depression-and-arrest.html",
    ),
    "CANMAT-2021": Source(
        "Swainson J, et al. CANMAT task force recommendations on racemic ketamine for "
        "depression. Can J Psychiatry. 2021;66(2):113-125.",
        "https://pubmed.ncbi.nlm.nih.gov/33174760/",
    ),
    "ANDRADE-2017": Source(
        "Andrade C. Ketamine for depression: dose, rate, route, duration and frequency. J Clin "
        "Psychiatry. 2017;78(7):e852-e857.",
        "https://www.psychiatrist.com/JCP/article/Pages/2017/v78n07/17f11738.aspx",
    ),
    "ANDRADE-2019": Source(
        "Andrade C. Oral ketamine for depression, 2: practical considerations. J Clin "
        "Psychiatry. 2019.",
        "https://www.psychiatrist.com/jcp/depression/oral-ketamine-for-depression-practical-considerations/",
    ),
    "FAVA-2020": Source(
        "Fava M, et al. Dose-ranging trial of intravenous ketamine in treatment-resistant "
        "depression. Mol Psychiatry. 2020;25:1592-1603.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6447473",
    ),
    "MURROUGH-2013B": Source(
        "Murrough JW, et al. Repeated ketamine infusions in treatment-resistant depression. "
        "Biol Psychiatry. 2013;74:250-256.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC3725185",
    ),
    "EMORY-2018": Source(
        "Riva-Posse P, et al. Blood pressure during 684 ketamine infusions for depression. "
        "J Affect Disord. 2018. PMID 29525051."
    ),
    "YALE-2024": Source(
        "Blood pressure during ketamine infusions for depression. Gen Hosp Psychiatry. 2024. "
        "doi:10.1016/j.genhosppsych.2024.07.001.",
        "https://doi.org/10.1016/j.genhosppsych.2024.07.001",
    ),
    "SZARMACH-2020": Source(
        "Szarmach J, et al. Neuropsychiatr Dis Treat. 2020;16:2539-2551 (blood pressure and "
        "heart rate around ketamine infusions).",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC7605942",
    ),
    "CHILUKURI-2014": Source(
        "Chilukuri H, et al. Intravenous versus intramuscular ketamine for depression. Indian J "
        "Psychol Med. 2014;36(1):71-76.",
        "https://pubmed.ncbi.nlm.nih.gov/24701015/",
    ),
    "RYAN-2014": Source(
        "Ryan WC, et al. Ketamine and depression: a review. Int J Transpers Stud. 2014."
    ),
    "KRYST-2020": Source(
        "Kryst J, et al. Review of single and repeated ketamine for depression. Pharmacol Rep. "
        "2020.",
        "https://link.springer.com/10.1007/s43440-020-00097-z",
    ),
    "KETECT-2022": Source(
        "Ekstrand J, et al. Ketamine versus electroconvulsive therapy for unipolar depression "
        "(KetECT trial). Int J Neuropsychopharmacol. 2022;25(5):339-349.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC9154276",
    ),
    "ELEKTD-2023": Source(
        "Anand A, et al. Ketamine versus ECT for nonpsychotic treatment-resistant major "
        "depression (ELEKT-D trial). N Engl J Med. 2023;388:2315-2325. "
        "doi:10.1056/NEJMoa2302399.",
        "https://doi.org/10.1056/NEJMoa2302399",
    ),
    "ESCAPE-2023": Source(
        "Reif A, et al. Esketamine nasal spray versus quetiapine extended release for "
        "treatment-resistant depression (ESCAPE-TRD trial). N Engl J Med. 2023;389:1298-1309.",
        "https://repository.uantwerpen.be/link/irua/200542",
    ),
    "SUSTAIN1-2019": Source(
        "Daly EJ, et al. Esketamine nasal spray for relapse prevention in treatment-resistant "
        "depression (SUSTAIN-1 trial). JAMA Psychiatry. 2019;76(9):893-903.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6551577",
    ),
    "TRANSFORM2-2019": Source(
        "Popova V, et al. Esketamine nasal spray with a new oral antidepressant in "
        "treatment-resistant depression (TRANSFORM-2 trial). Am J Psychiatry. "
        "2019;176(6):428-438. doi:10.1176/appi.ajp.2019.19020172.",
        "https://doi.org/10.1176/appi.ajp.2019.19020172",
    ),
    "TRANSFORM3-2020": Source(
        "Ochs-Ross R, et al. Esketamine nasal spray in older adults with treatment-resistant "
        "depression (TRANSFORM-3), results tables.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC7894501/table/cpt2024-tbl-0002",
    ),
    "HAN-2016": Source(
        "Han Y, et al. Meta-analysis of single-dose ketamine trials in major depression. "
        "Neuropsychiatr Dis Treat. 2016;12:2859-2867.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC5098773",
    ),
    "ALNEFEESI-2022": Source(
        "Alnefeesi Y, et al. Meta-analysis of real-world ketamine studies in treatment-resistant "
        "depression. J Psychiatr Res. 2022;151:693-709. PMID 35688035."
    ),
    "KIC-CASE-2024": Source(
        "Chang M, et al. Case report of bladder inflammation after ketamine treatment for "
        "depression. BMC Psychiatry. 2024. doi:10.1186/s12888-023-05468-3.",
        "https://doi.org/10.1186/s12888-023-05468-3",
    ),
    "SPRAVATO-ELIG": Source(
        "Treatment-resistant depression as defined for SPRAVATO (label definition restated).",
        "https://mentalhelpprovider.com/?p=112",
    ),
    "KROENKE-2001": Source(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9 depression questionnaire. J Gen Intern "
        "Med. 2001;16:606-613."
    ),
    "LOWE-2004": Source(
        "Löwe B, et al. Monitoring depression treatment outcomes with the PHQ-9. Med Care. "
        "2004;42(12).",
        "http://journals.lww.com/lww-medicalcare/Abstract/2004/12000/"
        "Monitoring_Depression_Treatment_Outcomes_With_the.6.aspx",
    ),
    "OLDER-KET-2019": Source(
        "Ketamine trial in older adults with depression: eligibility criteria table.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6727003/table/tbl1",
    ),
    "ADV-PSYCH": Source(
        "Advanced Psychiatry. SPRAVATO: label adverse reaction rates restated.",
        "https://advancedpsychiatryinc.com/spravato/",
    ),
    "MEDNET-ESK": Source(
        "MedicineNet. Side effects of esketamine (Spravato).",
        "https://www.medicinenet.com/side_effects_of_esketamine_spravato/side-effects.htm",
    ),
    "REMS-INPT": Source(
        "SPRAVATO REMS: information for inpatient healthcare settings (reporting adverse events).",
        "https://www.spravatorems.com/inpatient-hcs.html",
    ),
    "ALSHIRAWI-2017": Source(
        "Al Shirawi MI, et al. Oral ketamine in treatment-resistant depression: a case series. "
        "J Clin Psychopharmacol. 2017.",
        "https://www.scribd.com/document/523450892",
    ),
    "LARA-2013": Source(
        "Lara DR, et al. Very low doses of sublingual ketamine for depression. Int J "
        "Neuropsychopharmacol. 2013.",
        "https://docslib.org/doc/4347699",
    ),
    "MAYO-ESK": Source(
        "Mayo Clinic. Esketamine (nasal route): proper use.",
        "https://www.mayoclinic.org/drugs-supplements/esketamine-nasal-route/proper-use/drg-20458442",
    ),
    "DAVIS-ESK": Source(
        "Davis's Drug Guide. Esketamine entry (missed doses during maintenance).",
        "https://download.skyscape.com/download/ota/lonestar/FCD1C556-3933-4594-AD2C-8C43C7C2B8BA/"
        "drdrug.ed19_2025/content/HTML/t/tu38.htm",
    ),
    "ESK-SMPC": Source(
        "SPRAVATO summary of product characteristics (EU), as given in MIMS monographs.",
        "https://uat.mims.com/philippines/drug/info/spravato/dosage",
    ),
}
